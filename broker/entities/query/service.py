"""5.7.2 Query Entities: check the query, let the repository run it, render the page."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.entities import events
from broker.entities.attributes import check_attribute_name
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_types
from broker.entities.query.repository import QueryRepository
from broker.entities.query.selection import EntityQuery, Selector, check_query
from broker.entities.render import KEY_VALUES, Representation, render_entity
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


# How a saved query's entities are rendered for other packages (the catalog's live downloads):
# simplified, values only.
KEY_VALUES_VIEW = Representation(format=KEY_VALUES)


def saved_query(
    *,
    type: str | None = None,
    q: str | None = None,
    attrs: list[str] | None = None,
    georel: str | None = None,
    geometry: str | None = None,
    coordinates: Any = None,
    geoproperty: str | None = None,
) -> EntityQuery:
    """An EntityQuery from NGSI-LD query parameters held as data rather than a request (a
    query saved by another package, such as a catalog's live resource); the same parsing and
    400s as Query Entities."""
    types = parse_types(type) if type else None
    return EntityQuery(
        selectors=(Selector(types=types),) if types is not None else (),
        attrs=frozenset(check_attribute_name(a) for a in attrs or ()),
        q=parse_q(q) if q else None,
        geo=parse_geo_query(georel, geometry, coordinates, geoproperty),
    )


async def entities_of_type(
    session: AsyncSession,
    access: Access,
    *,
    entity_type: str,
    context: Context,
    ids: tuple[str, ...] = (),
    id_pattern: str | None = None,
    limit: int,
    offset: int = 0,
    count: bool = False,
) -> QueryResult:
    """Entities of one type in key-values, for packages that keep their own records as broker
    entities (catalog/vision) and read them without an HTTP query to parse."""
    selector = Selector(ids=ids, id_pattern=id_pattern, types=parse_types(entity_type))
    return await query_entities(
        session,
        access,
        query=EntityQuery(selectors=(selector,)),
        context=context,
        representation=Representation(format=KEY_VALUES),
        limit=limit,
        offset=offset,
        count=count,
    )
