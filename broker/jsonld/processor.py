"""The one module that uses pyld: JSON-LD 1.1 context processing, reduced to what Renkei reads.

Context processing (remote and scoped contexts, protected terms, @vocab, prefixes, @import) is
pyld's; Renkei only needs the result's term definitions, so this module hands back a small
typed `TermDefinitions` and keeps pyld's internals (its initial context, the `mappings` of an
active context, the `_prefix` flag) in one place. tests/broker/jsonld/test_processor.py pins
every behaviour Renkei relies on, so a pyld upgrade that changes one fails there first; pyld is
pinned in pyproject.toml.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

# url -> the remote context document ({"@context": ...}); raises to refuse or fail the load.
DocumentLoader = Callable[[str], dict[str, Any]]
_OPTIONS = {"processingMode": "json-ld-1.1"}


@dataclass(frozen=True, slots=True)
class TermDefinitions:
    """What a processed context defines: each term's IRI (keyword aliases map to their
    keyword, e.g. "id" -> "@id"), the terms usable as the prefix of a compact IRI, and the
    vocabulary mapping. Scoped contexts stay inside their terms and do not appear here."""

    terms: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    vocab: str | None = None


class InvalidContext(Exception):
    """The context is not a valid JSON-LD 1.1 context; `code` is the JSON-LD error code
    (e.g. "protected term redefinition", "invalid local context")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def process(items: list[Any], load: DocumentLoader) -> TermDefinitions:
    """Process a local context (a list of context URLs and objects, in order) against the
    initial context. Remote contexts are read through `load` only; an exception it raises
    propagates unchanged, any other failure is InvalidContext."""

    def loader(url: str, _options: Any = None) -> dict[str, Any]:
        # A copy: pyld's @import merges into the document it was given.
        document = copy.deepcopy(load(url))
        return {"contextUrl": None, "documentUrl": url, "document": document}

    processor = jsonld.JsonLdProcessor()
    # A resolver of this call's own: pyld's default shares resolved contexts process-wide,
    # and a context met once is then mis-resolved through a later @import of it.
    options = {
        **_OPTIONS,
        "documentLoader": loader,
        "contextResolver": ContextResolver({}, loader),
    }
    try:
        active = processor.process_context(processor._get_initial_context(options), items, options)
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc.__cause__
        while cause is not None:
            if not isinstance(cause, jsonld.JsonLdError):
                raise cause from None
            cause = cause.__cause__
        raise InvalidContext(str(exc.code or exc.args[0])) from exc
    return _definitions(active)


def _definitions(active: dict[str, Any]) -> TermDefinitions:
    terms: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for term, definition in active.get("mappings", {}).items():
        iri = definition.get("@id") if definition else None
        if not iri:
            continue
        terms[term] = iri
        if definition.get("_prefix"):
            prefixes[term] = iri
    return TermDefinitions(terms=terms, prefixes=prefixes, vocab=active.get("@vocab"))
