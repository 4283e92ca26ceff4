"""What Renkei relies on from JSON-LD 1.1 context processing (broker/jsonld/processor.py).

Each test pins one behaviour of the processor library (pyld, pinned in pyproject.toml) as Renkei
sees it, so an upgrade that changes one fails here rather than in a request.
"""

from typing import Any

import pytest

from broker.jsonld.context import CORE_CONTEXT_URL, _load_core_document
from broker.jsonld.processor import InvalidContext, TermDefinitions, process

CORE = _load_core_document()
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
SECURITY = "https://w3id.org/security/data-integrity/v2"


class Unavailable(Exception):
    pass


class Documents:
    """A loader over fixed documents, recording what it was asked for."""

    def __init__(self, **documents: dict[str, Any]) -> None:
        self.documents = {CORE_CONTEXT_URL: CORE, SECURITY: {"@context": {}}}
        self.documents.update({f"https://ctx.example/{k}": v for k, v in documents.items()})
        self.asked: list[str] = []

    def __call__(self, url: str) -> dict[str, Any]:
        self.asked.append(url)
        if url not in self.documents:
            raise Unavailable(url)
        return self.documents[url]


def with_core(*items: Any) -> TermDefinitions:
    return process([*items, CORE_CONTEXT_URL], Documents())


def test_core_context_defines_ngsi_ld_terms_prefixes_and_default_vocabulary() -> None:
    core = with_core()
    assert core.terms["id"] == "@id"  # keyword aliases map to their keyword
    assert core.terms["type"] == "@type"
    assert core.terms["location"] == "https://uri.etsi.org/ngsi-ld/location"
    assert core.terms["Property"] == "https://uri.etsi.org/ngsi-ld/Property"
    assert core.terms["observedAt"] == "https://uri.etsi.org/ngsi-ld/observedAt"
    assert core.terms["Point"] == "https://purl.org/geojson/vocab#Point"
    assert core.prefixes == {
        "ngsi-ld": "https://uri.etsi.org/ngsi-ld/",
        "geojson": "https://purl.org/geojson/vocab#",
    }
    assert core.vocab == DEFAULT_VOCAB


def test_core_context_after_a_user_context_wins_its_own_terms_and_vocab() -> None:
    """Renkei appends the core context last (clause 4.5): it redefines user terms it also
    defines, and its @vocab replaces a user @vocab."""
    merged = with_core({"location": "https://x.example/loc", "@vocab": "https://x.example/"})
    assert merged.terms["location"] == "https://uri.etsi.org/ngsi-ld/location"
    assert merged.vocab == DEFAULT_VOCAB


def test_protected_term_cannot_be_redefined_after_it() -> None:
    core_first = [CORE_CONTEXT_URL, {"location": "https://x.example/loc"}]
    with pytest.raises(InvalidContext) as raised:
        process(core_first, Documents())
    assert raised.value.code == "protected term redefinition"
    # The same definition again is not a redefinition.
    same = process([CORE_CONTEXT_URL, {"ngsi-ld": "https://uri.etsi.org/ngsi-ld/"}], Documents())
    assert same.terms["ngsi-ld"] == "https://uri.etsi.org/ngsi-ld/"


def test_term_protected_on_its_own_definition_is_protected() -> None:
    items = [{"a": {"@id": "https://x.example/a", "@protected": True}}, {"a": "https://y/a"}]
    with pytest.raises(InvalidContext, match="protected term redefinition"):
        process(items, Documents())


def test_scoped_context_stays_inside_its_term() -> None:
    scoped = {"Building": {"@id": "https://x.example/Building", "@context": {"h": "https://h/"}}}
    definitions = process([scoped], Documents())
    assert definitions.terms == {"Building": "https://x.example/Building"}


def test_vocab_of_a_user_context_alone() -> None:
    assert process([{"@vocab": "https://v.example/"}], Documents()).vocab == "https://v.example/"
    assert process([{"a": "https://x.example/a"}], Documents()).vocab is None


def test_prefixes_are_terms_ending_in_a_delimiter_or_marked_prefix() -> None:
    context = {
        "schema": "https://schema.org/",
        "ex": "https://ex.example/ns#",
        "brand": "schema:brand",  # a compact IRI in a definition expands through its prefix
        "rel": "https://ex.example/rel",
        "p": {"@id": "https://p.example/x", "@prefix": True},
    }
    definitions = process([context], Documents())
    assert definitions.terms["brand"] == "https://schema.org/brand"
    assert definitions.prefixes == {
        "schema": "https://schema.org/",
        "ex": "https://ex.example/ns#",
        "p": "https://p.example/x",
    }


def test_base_contributes_nothing() -> None:
    """@base only affects document-relative IRIs, which Renkei never resolves: a context of
    only @base defines nothing, and a relative term IRI is still invalid."""
    assert process([{"@base": "https://base.example/"}], Documents()) == TermDefinitions()
    with pytest.raises(InvalidContext, match="invalid IRI mapping"):
        process([{"@base": "https://base.example/", "a": "relative"}], Documents())


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([3], "invalid local context"),
        ([True], "invalid local context"),
        ([{"a": 3}], "invalid term definition"),
        ([{"@version": 1.0}], "invalid @version value"),
        ([{"a": {"@id": "https://x/a", "@container": "@nonsense"}}], "invalid container mapping"),
    ],
)
def test_invalid_context_is_invalid_context_with_its_json_ld_code(
    items: list[Any], code: str
) -> None:
    with pytest.raises(InvalidContext) as raised:
        process(items, Documents())
    assert raised.value.code == code


def test_remote_contexts_are_read_through_the_loader_only() -> None:
    documents = Documents(user={"@context": {"brand": "https://schema.org/brand"}})
    definitions = process(["https://ctx.example/user"], documents)
    assert definitions.terms == {"brand": "https://schema.org/brand"}
    assert documents.asked == ["https://ctx.example/user"]


def test_an_error_of_the_loader_propagates_unchanged() -> None:
    with pytest.raises(Unavailable) as raised:
        process(["https://ctx.example/missing"], Documents())
    assert raised.value.args == ("https://ctx.example/missing",)


def test_remote_document_that_is_not_a_context_object_is_invalid() -> None:
    documents = Documents(listing={"@context": [3]})
    with pytest.raises(InvalidContext, match="invalid local context"):
        process(["https://ctx.example/listing"], documents)


def test_import_merges_a_remote_context_even_one_processed_before() -> None:
    """@import (JSON-LD 1.1) works whatever was processed earlier in the process (pyld's
    process-wide resolved-context cache would otherwise break it), and leaves the loaded
    document as it was (pyld merges into the document it is given)."""
    documents = Documents(base={"@context": {"imp": "https://i.example/imp"}})
    assert process(["https://ctx.example/base"], documents).terms == {
        "imp": "https://i.example/imp"
    }
    imported = process([{"@import": "https://ctx.example/base", "own": "https://o/"}], documents)
    assert imported.terms == {"imp": "https://i.example/imp", "own": "https://o/"}
    assert process(["https://ctx.example/base"], documents).terms == {
        "imp": "https://i.example/imp"
    }
    assert documents.documents["https://ctx.example/base"] == {
        "@context": {"imp": "https://i.example/imp"}
    }
