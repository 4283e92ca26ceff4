"""JSON-LD @context handling: the vendored core context, remote contexts, term expansion.

Renkei expands what NGSI-LD names with terms (entity types, attribute and sub-attribute names,
Relationship objectType, VocabProperty values) and keeps attribute values as given, as NGSI-LD
brokers do. Context *processing* (scoped contexts, protected terms, @vocab, prefixes) is
`broker.jsonld.processor`'s; this module fetches and caches, and reads the term definitions it
produced.
"""

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import httpx
import orjson

from broker.core.errors import BadRequestData, LdContextNotAvailable
from broker.core.netguard import OPEN, NetGuard, TargetRefused
from broker.jsonld.processor import InvalidContext, TermDefinitions, process

log = logging.getLogger("renkei.jsonld")

CORE_CONTEXT_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
NGSI_LD = "https://uri.etsi.org/ngsi-ld/"
_CORE_URL = re.compile(
    r"^https?://uri\.etsi\.org/ngsi-ld/v1/ngsi-ld-core-context(-v1\.[0-9])?\.jsonld$"
)
# Referenced only from the core context's scoped context of `ngsildproof` (data integrity
# proofs), which Renkei does not process: resolved to an empty context, never fetched.
_OFFLINE_STUBS = frozenset({"https://w3id.org/security/data-integrity/v2"})
_EMPTY_CONTEXT: dict[str, Any] = {"@context": {}}

LocalContext = str | dict[str, Any] | list[Any]
# Clause 5.13: the path at which a broker serves the @contexts it hosts.
HOSTED_PATH = "/ngsi-ld/v1/jsonldContexts"
_HOSTED_URL = re.compile(r"^https?://[^/?#]+/ngsi-ld/v1/jsonldContexts/([0-9a-f-]{36})$")
# The document of a context this broker hosts, by local id, in the request's tenant (None if
# it hosts none by that id there).
HostedLookup = Callable[[str], Awaitable[dict[str, Any] | None]]


def is_core_context(url: str) -> bool:
    return bool(_CORE_URL.match(url))


def hosted_id(url: str) -> str | None:
    """The local id of a URL of the form this broker gives the contexts it hosts."""
    found = _HOSTED_URL.match(url)
    return found.group(1) if found else None


@dataclass(slots=True)
class CachedDocument:
    """A remote context document as fetched (clause 5.13: kind Cached), with its usage."""

    document: dict[str, Any]
    expires: float  # time.monotonic()
    fetched_at: datetime
    hits: int = 0
    last_used: datetime | None = None


def _load_core_document() -> dict[str, Any]:
    text = resources.files("broker.jsonld").joinpath("ngsi-ld-core-context-v1.9.jsonld")
    return orjson.loads(text.read_bytes())


class Context:
    """A processed @context: expands terms to IRIs and compacts IRIs back to terms."""

    def __init__(self, local: list[Any], definitions: TermDefinitions) -> None:
        self.local = local
        self._vocab = definitions.vocab
        self._terms = definitions.terms
        self._prefixes = definitions.prefixes
        inverse: dict[str, str] = {}
        for term, iri in self._terms.items():
            if iri.startswith("@"):
                continue
            best = inverse.get(iri)
            if best is None or (len(term), term) < (len(best), best):
                inverse[iri] = term
        self._inverse = inverse
        self._expanded: dict[str, str] = {}
        self._compacted: dict[str, str] = {}

    def expand(self, term: str) -> str:
        """IRI expansion with vocab=true (JSON-LD 1.1 §5.2), cached."""
        iri = self._expanded.get(term)
        if iri is None:
            iri = self._expand(term)
            if len(self._expanded) < 100_000:
                self._expanded[term] = iri
        return iri

    def _expand(self, term: str) -> str:
        if term in self._terms:
            return self._terms[term]
        if ":" in term:
            prefix, suffix = term.split(":", 1)
            if prefix == "_" or suffix.startswith("//"):
                return term
            if prefix in self._prefixes:
                return self._prefixes[prefix] + suffix
            return term
        if self._vocab:
            return self._vocab + term
        return term

    def compact(self, iri: str) -> str:
        """The shortest term (or vocab-relative name, or compact IRI) that expands back to iri."""
        term = self._compacted.get(iri)
        if term is None:
            term = self._compact(iri)
            if len(self._compacted) < 100_000:
                self._compacted[iri] = term
        return term

    def _compact(self, iri: str) -> str:
        if iri in self._inverse:
            return self._inverse[iri]
        if self._vocab and iri.startswith(self._vocab):
            suffix = iri[len(self._vocab) :]
            if suffix and ":" not in suffix and suffix not in self._terms:
                return suffix
        best: str | None = None
        for prefix, prefix_iri in self._prefixes.items():
            if iri.startswith(prefix_iri) and len(iri) > len(prefix_iri):
                candidate = f"{prefix}:{iri[len(prefix_iri) :]}"
                if candidate not in self._terms and (best is None or len(candidate) < len(best)):
                    best = candidate
        return best or iri


def _context_urls(value: Any) -> list[str]:
    """Every context URL a context value names, including those in scoped contexts."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [url for item in value for url in _context_urls(item)]
    urls: list[str] = []
    if isinstance(value, dict):
        if isinstance(value.get("@import"), str):
            urls.append(value["@import"])
        for definition in value.values():
            if isinstance(definition, dict) and "@context" in definition:
                urls.extend(_context_urls(definition["@context"]))
    return urls


class ContextResolver:
    """Turns a request's @context into a Context: core built in, remote ones fetched and cached."""

    def __init__(
        self,
        *,
        fetch_timeout: float = 5.0,
        max_bytes: int = 1_048_576,
        ttl: float = 3600.0,
        cache_size: int = 256,
        client: httpx.AsyncClient | None = None,
        guard: NetGuard = OPEN,
    ) -> None:
        self._core_document = _load_core_document()
        self._guard = guard
        self._max_bytes = max_bytes
        self._ttl = ttl
        self._cache_size = cache_size
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(fetch_timeout),
            follow_redirects=True,
            max_redirects=3,
            event_hooks={"request": [self._check_target]},  # every redirect is checked too
        )
        self._documents: dict[str, CachedDocument] = {}
        # Hosted documents met while resolving, for documents_of only: resolution always asks
        # the request's tenant, so one tenant never resolves another's through this.
        self._hosted: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._inflight: dict[str, asyncio.Task[dict[str, Any]]] = {}
        self._contexts: OrderedDict[bytes, tuple[float, Context]] = OrderedDict()
        self.core = self._process([], {})

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _check_target(self, request: httpx.Request) -> None:
        await self._guard.check(request.url.host, request.url.port)

    @property
    def core_document(self) -> dict[str, Any]:
        return self._core_document

    async def resolve(
        self,
        local: LocalContext | None,
        documents: dict[str, Any] | None = None,
        *,
        hosted: HostedLookup | None = None,
    ) -> Context:
        """The processed context for a request's Link header or inline @context. `documents`
        (url -> document, as `documents_of` gave them) are used instead of fetching; URLs of
        contexts this broker hosts are read through `hosted`, never fetched."""
        if local is None or local == []:
            return self.core
        items = local if isinstance(local, list) else [local]
        items = [i for i in items if not (isinstance(i, str) and is_core_context(i))]
        if not items:
            return self.core
        known = dict(documents or {})
        # A hosted context may be deleted on any replica: its existence is checked each time.
        fresh = await self._hosted_documents(_context_urls(items), known, hosted)
        key = orjson.dumps(items, option=orjson.OPT_SORT_KEYS)
        cached = self._contexts.get(key)
        now = time.monotonic()
        if fresh and cached and cached[0] > now:
            self._contexts.move_to_end(key)
            self._count_use(items)
            return cached[1]
        fetched = await self._fetch_all(items, known, hosted)
        context = await asyncio.to_thread(self._process, items, fetched)
        expires = min(
            (self._documents[u].expires for u in fetched if u in self._documents),
            default=now + self._ttl,
        )
        if fresh:
            self._contexts[key] = (expires, context)
            while len(self._contexts) > self._cache_size:
                self._contexts.popitem(last=False)
        self._count_use(items)
        return context

    async def _hosted_documents(
        self, urls: list[str], known: dict[str, Any], hosted: HostedLookup | None
    ) -> bool:
        """Read the hosted contexts among `urls` into `known`; False if one is not hosted."""
        for url in urls:
            local_id = hosted_id(url)
            if local_id is None or url in known:
                continue
            document = await hosted(local_id) if hosted is not None else None
            if document is None:
                return False
            known[url] = document
            self._hosted[url] = document
            while len(self._hosted) > self._cache_size:
                self._hosted.popitem(last=False)
        return True

    def _count_use(self, items: list[Any]) -> None:
        now = datetime.now(UTC)
        for url in _context_urls(items):
            cached = self._documents.get(url)
            if cached is not None:
                cached.hits += 1
                cached.last_used = now

    def documents_of(self, local: LocalContext | None) -> dict[str, Any]:
        """The remote documents a context just resolved was made of (url -> document), to be
        kept with what must resolve again without the network (a subscription)."""
        found: dict[str, Any] = {}
        items = local if isinstance(local, list) else [local]
        pending = _context_urls(items)
        while pending:
            url = pending.pop()
            document = self._hosted.get(url) or self._cached_document(url)
            if url in found or document is None:
                continue
            found[url] = document
            pending.extend(_context_urls(document.get("@context")))
        return found

    def _cached_document(self, url: str) -> dict[str, Any] | None:
        cached = self._documents.get(url)
        return cached.document if cached else None

    def cached(self) -> dict[str, CachedDocument]:
        """The remote documents this process holds (clause 5.13.3: kind Cached), by URL."""
        return dict(self._documents)

    def served(self, url: str) -> None:
        """Count one serving of a cached document (clause 5.13.4: numberOfHits)."""
        cached = self._documents.get(url)
        if cached is not None:
            cached.hits += 1

    def forget(self, url: str) -> bool:
        """Drop a cached document (clause 5.13.5); False if none was held."""
        if self._documents.pop(url, None) is None:
            return False
        self._contexts.clear()
        return True

    async def reload(self, url: str) -> None:
        """Fetch a cached document again (clause 5.13.5, reload); on failure the one held
        stays, and the error is raised."""
        await self._fetch(url)
        self._contexts.clear()

    async def _fetch_all(
        self, items: list[Any], known: dict[str, Any], hosted: HostedLookup | None
    ) -> dict[str, dict[str, Any]]:
        documents: dict[str, dict[str, Any]] = {}
        pending = _context_urls(items)
        while pending:
            url = pending.pop()
            if url in documents or is_core_context(url) or url in _OFFLINE_STUBS:
                continue
            await self._hosted_documents([url], known, hosted)
            document = known[url] if url in known else await self._document(url)
            documents[url] = document
            pending.extend(_context_urls(document.get("@context")))
        return documents

    async def _document(self, url: str) -> dict[str, Any]:
        cached = self._documents.get(url)
        if cached and cached.expires > time.monotonic():
            return cached.document
        task = self._inflight.get(url)
        if task is None:
            task = asyncio.create_task(self._fetch(url))
            self._inflight[url] = task
            task.add_done_callback(lambda _t: self._inflight.pop(url, None))
        return await task

    async def _fetch(self, url: str) -> dict[str, Any]:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise BadRequestData(f"@context URL must be an absolute http(s) URL: {url!r}")
        try:
            async with self._client.stream(
                "GET", parsed, headers={"Accept": "application/ld+json, application/json"}
            ) as response:
                if response.status_code != 200:
                    raise LdContextNotAvailable(
                        f"@context {url} answered HTTP {response.status_code}"
                    )
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > self._max_bytes:
                        raise LdContextNotAvailable(
                            f"@context {url} is larger than {self._max_bytes} bytes"
                        )
        except TargetRefused as exc:
            raise BadRequestData(f"@context {url} may not be fetched: {exc}") from exc
        except httpx.HTTPError as exc:
            raise LdContextNotAvailable(f"@context {url} could not be fetched: {exc}") from exc
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise LdContextNotAvailable(f"@context {url} is not JSON") from exc
        if not isinstance(document, dict) or "@context" not in document:
            raise LdContextNotAvailable(f"@context {url} holds no @context member")
        held = self._documents.get(url)
        self._documents[url] = CachedDocument(
            document,
            expires=time.monotonic() + self._ttl,
            fetched_at=datetime.now(UTC),
            hits=held.hits if held else 0,
            last_used=held.last_used if held else None,
        )
        log.info("fetched @context %s (%d bytes)", url, len(body))
        return document

    def _process(self, items: list[Any], documents: dict[str, dict[str, Any]]) -> Context:
        def load(url: str) -> dict[str, Any]:
            if is_core_context(url):
                return self._core_document
            if url in _OFFLINE_STUBS:
                return _EMPTY_CONTEXT
            if url in documents:
                return documents[url]
            raise LdContextNotAvailable(f"@context {url} was not available")

        try:
            definitions = process([*items, CORE_CONTEXT_URL], load)
        except InvalidContext as exc:
            raise BadRequestData(f"invalid @context: {exc.code}") from exc
        return Context(items, definitions)
