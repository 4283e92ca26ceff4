"""5.7.2 Query Entities: check the query, let the repository run it, render the page."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.entities import events
from broker.entities.query.repository import QueryRepository
from broker.entities.query.selection import EntityQuery, check_query
from broker.entities.render import Representation, render_entity
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context


@dataclass
class QueryResult:
    entities: list[dict[str, Any]]
    records: list[EntityRecord]
    total: int | None
    more: bool = False  # entities follow this page


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
) -> QueryResult:
    """5.7.2 Query Entities: one page in stable id order, and the total when asked."""
    check_query(query)
    found = await QueryRepository.of(session, access).find(
        query, context, limit=limit, offset=offset, count=count
    )
    events.read(session, found.records)
    entities = [render_entity(r, context, representation) for r in found.records]
    return QueryResult(entities, found.records, found.total, found.more)
