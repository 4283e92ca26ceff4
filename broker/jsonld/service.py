"""@context management (clause 5.13): the @contexts the broker holds, added, listed, served,
deleted and reloaded.

Kinds (clause 5.13.1): Hosted contexts were added by a client and are rows of `jsonld_contexts`
in the tenant that added them (clause 5.5.10: the tenant is the boundary of every operation), so
they survive restarts and every replica serves and resolves them. Cached contexts are the remote
documents this process fetched (the resolver's cache, shared by every tenant as the public
documents they are; each replica holds its own); the core context is one of them, built in.
ImplicitlyCreated contexts are not made yet: the kind is accepted as a filter and lists none.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.db import Database
from broker.core.errors import BadRequestData, InvalidRequest, ResourceNotFound
from broker.entities.render import format_datetime
from broker.jsonld.context import (
    CORE_CONTEXT_URL,
    HOSTED_PATH,
    ContextResolver,
    HostedLookup,
    hosted_id,
    is_core_context,
)
from broker.jsonld.repository import HostedContextRepository

HOSTED = "Hosted"
CACHED = "Cached"
IMPLICITLY_CREATED = "ImplicitlyCreated"
KINDS = (HOSTED, CACHED, IMPLICITLY_CREATED)
_STARTED = datetime.now(UTC)  # when the built-in core context became available


@dataclass(frozen=True, slots=True)
class ContextEntry:
    """One @context the broker holds, with the metadata clause 5.13.3 lists."""

    url: str
    local_id: str
    kind: str
    created_at: datetime
    document: dict[str, Any]
    last_usage: datetime | None = None
    hits: int | None = None

    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "URL": self.url,
            "localId": self.local_id,
            "kind": self.kind,
            "createdAt": format_datetime(self.created_at),
        }
        if self.last_usage is not None:
            out["lastUsage"] = format_datetime(self.last_usage)
        if self.hits is not None:
            out["numberOfHits"] = self.hits
        return out


def parse_flag(value: str | None, name: str) -> bool:
    """A boolean query parameter (`details`, `reload`): true, false or absent."""
    if value is None or value == "false":
        return False
    if value == "true":
        return True
    raise BadRequestData(f"{name} must be true or false")


def hosted_lookup(db: Database, tenant: str) -> HostedLookup:
    """How a request of `tenant` reads the contexts hosted there, to resolve their URLs."""

    async def lookup(local_id: str) -> dict[str, Any] | None:
        async with db.read_session() as session:
            return await HostedContextRepository(session, tenant).document(local_id)

    return lookup


async def add_context(
    session: AsyncSession, access: Access, resolver: ContextResolver, *, body: Any
) -> str:
    """5.13.2 Add @context: stored as Hosted; returns its local id."""
    if not isinstance(body, dict) or "@context" not in body:
        # Clause 5.13.2.4: an incorrect payload is InvalidRequest; an invalid @context in a
        # correct one is BadRequestData (clause 5.5.4).
        raise InvalidRequest("the payload must be a JSON object with an @context member")
    local = body["@context"]
    repository = HostedContextRepository.of(session, access)
    # Processed once, as a request naming it would be: an invalid @context (clause 5.5.4) is
    # refused here, and the remote contexts it names are fetched (and Cached).
    await resolver.resolve(local, hosted=repository.document)
    local_id = str(uuid.uuid4())
    await repository.insert(
        local_id, kind=HOSTED, document={"@context": local}, created_at=datetime.now(UTC)
    )
    return local_id


def _core(resolver: ContextResolver) -> ContextEntry:
    return ContextEntry(
        CORE_CONTEXT_URL, CORE_CONTEXT_URL, CACHED, _STARTED, resolver.core_document
    )


def _cached(resolver: ContextResolver) -> list[ContextEntry]:
    return [
        ContextEntry(url, url, CACHED, held.fetched_at, held.document, held.last_used, held.hits)
        for url, held in sorted(resolver.cached().items())
    ]


async def _hosted(
    session: AsyncSession, access: Access, base_url: str, kind: str | None = None
) -> list[ContextEntry]:
    rows = await HostedContextRepository.of(session, access).all(kind=kind)
    return [
        ContextEntry(f"{base_url}{HOSTED_PATH}/{r.id}", r.id, r.kind, r.created_at, r.document)
        for r in rows
    ]


async def list_contexts(
    session: AsyncSession,
    access: Access,
    resolver: ContextResolver,
    *,
    base_url: str,
    details: str | None,
    kind: str | None,
) -> list[Any]:
    """5.13.3 List @contexts: their URLs, or with details their metadata."""
    detailed = parse_flag(details, "details")
    if kind is not None and kind not in KINDS:
        raise BadRequestData(f"kind must be one of {', '.join(KINDS)}")
    entries: list[ContextEntry] = []
    if kind != CACHED:
        entries += await _hosted(session, access, base_url, kind)
    if kind in (None, CACHED):
        entries += [_core(resolver), *_cached(resolver)]
    return [entry.details() if detailed else entry.url for entry in entries]


async def _find(
    session: AsyncSession,
    access: Access,
    resolver: ContextResolver,
    *,
    base_url: str,
    context_id: str,
) -> ContextEntry | None:
    """The @context a path names: the core context by any of its URLs, a hosted one by its
    local id or URL, a cached one by the URL it was fetched from (clause 5.13.4)."""
    if is_core_context(context_id):
        return _core(resolver)
    row = await HostedContextRepository.of(session, access).get(hosted_id(context_id) or context_id)
    if row is not None:
        url = f"{base_url}{HOSTED_PATH}/{row.id}"
        return ContextEntry(url, row.id, row.kind, row.created_at, row.document)
    return next((entry for entry in _cached(resolver) if entry.url == context_id), None)


async def serve_context(
    session: AsyncSession,
    access: Access,
    resolver: ContextResolver,
    *,
    base_url: str,
    context_id: str,
    details: str | None,
) -> tuple[dict[str, Any], bool]:
    """5.13.4 Serve @context: (the document, True) or with details (its metadata, False)."""
    detailed = parse_flag(details, "details")
    entry = await _find(session, access, resolver, base_url=base_url, context_id=context_id)
    if entry is None:
        raise ResourceNotFound(f"no @context {context_id!r} is held here")
    body = entry.details() if detailed else entry.document
    if entry.kind == CACHED:
        resolver.served(entry.url)  # numberOfHits counts servings too, after this one
    return body, not detailed


async def delete_context(
    session: AsyncSession,
    access: Access,
    resolver: ContextResolver,
    *,
    context_id: str,
    reload: str | None,
) -> None:
    """5.13.5 Delete and Reload @context."""
    reloading = parse_flag(reload, "reload")
    entry = await _find(session, access, resolver, base_url="", context_id=context_id)
    if reloading:
        _check_reloadable(entry, context_id)
        if entry is not None and not is_core_context(entry.url):
            await resolver.reload(entry.url)  # the core context is built in: nothing to fetch
        return
    if entry is None:
        raise ResourceNotFound(f"no @context {context_id!r} is held here")
    if is_core_context(entry.url):
        raise BadRequestData("the core @context cannot be deleted")
    if entry.kind == CACHED:
        resolver.forget(entry.url)
    else:
        await HostedContextRepository.of(session, access).delete(entry.local_id)


def _check_reloadable(entry: ContextEntry | None, context_id: str) -> None:
    if entry is None:
        parts = urlsplit(context_id)
        if parts.scheme in ("http", "https") and parts.netloc:
            raise ResourceNotFound(f"no @context {context_id!r} is cached here")
        raise BadRequestData("reload names a cached @context by the URL it was fetched from")
    if entry.kind != CACHED:
        raise BadRequestData(f"a {entry.kind} @context cannot be reloaded, only a Cached one")
