"""Entity type names in access rules (client restrictions, sharing grants).

Rules hold expanded type IRIs, as entities store them. A plain name is expanded as the NGSI-LD
core context expands an unknown term (into the default vocabulary); any other @context's types
are given as full IRIs.
"""

import re

from broker.core.errors import BadRequestData

DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def type_iri(name: str) -> str:
    if _NAME.match(name):
        return DEFAULT_VOCAB + name
    if _IRI.match(name):
        return name
    raise BadRequestData(f"entity type {name!r} must be a plain name or a full IRI")


def type_iris(names: list[str] | None) -> list[str] | None:
    if names is None:
        return None
    if not names:
        raise BadRequestData("a list of entity types must not be empty; omit it for every type")
    return sorted({type_iri(n) for n in names})


def type_name(iri: str) -> str:
    return iri.removeprefix(DEFAULT_VOCAB)
