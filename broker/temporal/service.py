"""Temporal retrieval (clauses 5.7.3 Retrieve Temporal Evolution of an Entity, 5.7.4 Query
Temporal Evolution of Entities): pick the entities, read their history, render it.

The entities of a query are selected on their current state by the Query Entities service
(id, idPattern, type, attrs, q), in the caller's visibility; an entity's own history is found
by its id, also once the entity is deleted.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import BadRequestData, ResourceNotFound
from broker.entities import service as entities
from broker.entities.attributes import check_uri
from broker.entities.query import service as queries
from broker.entities.query.selection import EntityQuery
from broker.entities.render import Representation
from broker.jsonld.context import Context
from broker.temporal.render import (
    AGGREGATED_VALUES,
    TemporalView,
    render_aggregated,
    render_history,
)
from broker.temporal.repository import InstanceRow, TemporalRepository
from broker.temporal.selection import MAX_INSTANCES, TemporalQuery


@dataclass
class TemporalResult:
    entities: list[dict[str, Any]]
    # When an attribute's history was cut at MAX_INSTANCES: the times of the first and the
    # last instance returned (clause 6.3.10's Content-Range).
    served: tuple[datetime, datetime] | None = None
    total: int | None = None  # entities, when counted
    more: bool = False  # entities follow this page


async def retrieve_temporal(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    query: TemporalQuery,
    view: TemporalView,
    context: Context,
) -> TemporalResult:
    """5.7.3 Retrieve Temporal Evolution of an Entity; 404 when it has no history it may see."""
    types = await temporal_types(session, access, entity_id)
    if types is None:
        raise ResourceNotFound(f"entity {entity_id} not found")
    repo = TemporalRepository.of(session, access)
    rendered, served = await _histories(repo, [(entity_id, types)], query, view, context)
    return TemporalResult(rendered, served)


async def temporal_types(session: AsyncSession, access: Access, entity_id: str) -> list[str] | None:
    """The types of the temporal entity `entity_id` as the caller may see it: the current
    entity's, else (deleted, or only written through the temporal API) those its history last
    had; None when there is neither, or the caller may not see them."""
    check_uri(entity_id, "entity id")
    try:
        record = await entities.retrieve_entity(
            session, access, entity_id=entity_id, representation=Representation()
        )
        types: list[str] | None = record.types
    except ResourceNotFound:
        types = await TemporalRepository.of(session, access).entity_types(entity_id)
    return types if types is not None and access.sees(types) else None


async def query_temporal(
    session: AsyncSession,
    access: Access,
    *,
    selection: EntityQuery,
    query: TemporalQuery,
    view: TemporalView,
    context: Context,
    limit: int,
    offset: int,
    count: bool,
) -> TemporalResult:
    """5.7.4 Query Temporal Evolution of Entities: a page of entities in id order, each with
    its history."""
    if not (
        selection.selectors
        or selection.attrs
        or selection.q is not None
        or selection.scope_q is not None
        or selection.geo is not None
    ):
        raise BadRequestData(
            "a temporal query needs one of id, idPattern, type, attrs, q, scopeQ or a geo-query"
        )
    found = await queries.query_entities(
        session,
        access,
        query=selection,
        context=context,
        representation=Representation(),
        limit=limit,
        offset=offset,
        count=count,
    )
    repo = TemporalRepository.of(session, access)
    chosen = [(r.id, r.types) for r in found.records]
    rendered, served = await _histories(repo, chosen, query, view, context)
    return TemporalResult(rendered, served, found.total, found.more)


async def _histories(
    repo: TemporalRepository,
    chosen: list[tuple[str, list[str]]],
    query: TemporalQuery,
    view: TemporalView,
    context: Context,
) -> tuple[list[dict[str, Any]], tuple[datetime, datetime] | None]:
    ids = [entity_id for entity_id, _ in chosen]
    if view.format == AGGREGATED_VALUES:
        assert query.aggregation is not None
        buckets = await repo.aggregate(ids, query, query.aggregation)
        by_entity: dict[str, list[Any]] = {}
        for bucket in buckets:
            by_entity.setdefault(bucket.entity_id, []).append(bucket)
        return [
            render_aggregated(
                i, t, by_entity.get(i, []), context, query.interval, query.aggregation
            )
            for i, t in chosen
        ], None
    rows = await repo.instances(ids, query, most=MAX_INSTANCES + 1)
    kept, served = _cut(rows, query, view)
    grouped: dict[str, list[InstanceRow]] = {}
    for row in kept:
        grouped.setdefault(row.entity_id, []).append(row)
    return [render_history(i, t, grouped.get(i, []), context, view) for i, t in chosen], served


def _cut(
    rows: list[InstanceRow], query: TemporalQuery, view: TemporalView
) -> tuple[list[InstanceRow], tuple[datetime, datetime] | None]:
    """Drop the instance past MAX_INSTANCES of each attribute; the served range if any was."""
    if query.last_n is not None:
        return rows, None
    kept: list[InstanceRow] = []
    counts: dict[tuple[str, str, str], int] = {}
    cut = False
    for row in rows:
        key = (row.entity_id, row.attribute, row.dataset_id)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > MAX_INSTANCES:
            cut = True
        else:
            kept.append(row)
    if not cut or not kept:
        return kept, None
    prop = view.interval.timeproperty
    times = [r.time(prop) for r in kept]
    return kept, (min(times), max(times))
