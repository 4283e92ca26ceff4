"""Distributed Query Entities (ETSI GS CIM 009 V1.8, 5.7.2 with 4.3.6): the local answer and
the answers of the matching context sources, asked concurrently, merged per entity, one page.

The query is not fanned out with `local=true`, nor when this broker's hop id is already in the
request's Via (a loop: the broker that forwarded it will merge our local answer). A source
that fails is named in the NGSILD-Warning header and counted in its registration's status;
the request itself never fails because of a source.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.entities.query import service as local_query
from broker.entities.query.selection import EntityQuery
from broker.entities.query.service import QueryResult
from broker.entities.render import Representation
from broker.jsonld.context import Context
from broker.registrations import merge
from broker.registrations.forwarding import (
    SourceAnswer,
    SourceCaller,
    SourceRequest,
    fan_out,
    has_looped,
    warnings_header,
)
from broker.registrations.holders import RegisteredTenants
from broker.registrations.service import matching_sources, record_outcome
from broker.registrations.sources import RegisteredSource

QUERY_PATH = "/ngsi-ld/v1/entities"
QUERY_POST_PATH = "/ngsi-ld/v1/entityOperations/query"
_PAGING = {"limit", "offset", "count", "local"}


@dataclass(frozen=True)
class Hop:
    """Where a request stands in a federation: our hop id, the Via it came with, local=true,
    and which tenants hold registrations at all (None: look them up every time)."""

    hop_id: str
    via: str | None
    local: bool
    registered: RegisteredTenants | None = None

    @property
    def fans_out(self) -> bool:
        return not self.local and not has_looped(self.via, self.hop_id)


@dataclass
class Distributed:
    result: QueryResult
    warning: str | None = None
    answered_by: list[str] = field(default_factory=list)  # registration ids of the sources


def query_sources_wanted(query: EntityQuery, context: Context) -> dict[str, Any]:
    """The matching_sources arguments of a query: its ids, types and attributes, expanded."""
    ids = [i for s in query.selectors for i in s.ids]
    types = [context.expand(t) for s in query.selectors if s.types for t in s.types.names]
    patterns = [s.id_pattern for s in query.selectors if s.id_pattern]
    return {
        "entity_ids": ids,
        "types": types,
        "attrs": [context.expand(a) for a in sorted(query.attrs)],
        "id_pattern": patterns[0] if len(patterns) == 1 else None,
    }


async def sources_for(
    session: AsyncSession, access: Access, hop: Hop, *, operation: str, wanted: dict[str, Any]
) -> list[RegisteredSource]:
    return await matching_sources(
        session, access, operation=operation, registered=hop.registered, **wanted
    )


async def record(session: AsyncSession, answers: Sequence[SourceAnswer]) -> None:
    now = datetime.now(UTC)
    for answer in (a for a in answers if a.sent):
        await record_outcome(
            session,
            answer.source.registration_id,
            answer.source.tenant_id,
            ok=answer.ok,
            at=now,
        )


def window_params(
    params: Sequence[tuple[str, str]], *, limit: int, offset: int, count: bool
) -> tuple[tuple[str, str], ...]:
    """The client's query with paging replaced: each side is asked for its first offset+limit."""
    kept = [(k, v) for k, v in params if k not in _PAGING]
    kept.append(("limit", str(offset + limit)))
    if count:
        kept.append(("count", "true"))
    return tuple(kept)


async def merge_query(
    session: AsyncSession,
    local: QueryResult,
    sources: Sequence[RegisteredSource],
    *,
    caller: SourceCaller,
    request: SourceRequest,
    limit: int,
    offset: int,
    count: bool,
) -> Distributed:
    """`local` is the local store's first offset+limit entities (offset 0)."""
    answers = await fan_out(caller, sources, request)
    await record(session, answers)
    pages: list[list[dict[str, Any]]] = [local.entities]
    counts = [local.total or 0]
    more = local.more
    for answer in answers:
        body = answer.body if answer.ok and isinstance(answer.body, list) else []
        pages.append([e for e in body if isinstance(e, dict)])
        counts.append(answer.count if answer.count is not None else len(body))
        more = more or (answer.ok and len(body) >= offset + limit)
    ranks = [merge.mode_rank(None)] + [merge.mode_rank(a.source.mode) for a in answers]
    entities, held = merge.merged_page(pages, offset=offset, limit=limit, ranks=ranks)
    total = merge.merged_count(counts, pages) if count else None
    result = QueryResult(entities, [], total, more or held > offset + limit)
    answered = [a.source.registration_id for a in answers if a.ok]
    return Distributed(result, warnings_header(answers), answered)


async def query_entities(
    session: AsyncSession,
    access: Access,
    *,
    query: EntityQuery,
    context: Context,
    representation: Representation,
    limit: int,
    offset: int,
    count: bool,
    hop: Hop,
    caller: SourceCaller,
    params: Sequence[tuple[str, str]],
    link: str | None,
    body: Any = None,
) -> Distributed:
    """5.7.2 Query Entities over the local store and the registered sources; with `body`
    (a Query sent to /entityOperations/query) the sources get that body, as it was sent."""
    sources: list[RegisteredSource] = []
    if hop.fans_out:
        wanted = query_sources_wanted(query, context)
        sources = await sources_for(session, access, hop, operation="queryEntity", wanted=wanted)
    window = (
        {"limit": offset + limit, "offset": 0} if sources else {"limit": limit, "offset": offset}
    )
    local = await local_query.query_entities(
        session,
        access,
        query=query,
        context=context,
        representation=representation,
        count=count,
        **window,
    )
    if not sources:
        return Distributed(local)
    request = SourceRequest(
        "GET" if body is None else "POST",
        QUERY_PATH if body is None else QUERY_POST_PATH,
        window_params(params, limit=limit, offset=offset, count=count),
        link=link,
        via=hop.via,
        body=body,
    )
    return await merge_query(
        session,
        local,
        sources,
        caller=caller,
        request=request,
        limit=limit,
        offset=offset,
        count=count,
    )
