"""5.7.2 Query Entities: filters to SQL, geo pre-filter and exact match, paging, rendering."""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from auth.principals import Access
from broker.core.errors import BadRequestData
from broker.entities import events
from broker.entities.attributes import check_uri
from broker.entities.models import Entity
from broker.entities.query.geo import GeoQuery
from broker.entities.query.grammar import Exists, Or, Path, Query, TypeSelection
from broker.entities.query.sql import QueryCompiler, scope_condition
from broker.entities.render import Representation, render_entity
from broker.entities.repository import EntityRecord, EntityRepository
from broker.jsonld.context import NGSI_LD, Context


@dataclass(frozen=True)
class Selector:
    """One EntitySelector (clause 5.2.33): ids, an id pattern and a type selection, all ANDed."""

    ids: tuple[str, ...] = ()
    id_pattern: str | None = None
    types: TypeSelection | None = None


@dataclass(frozen=True)
class EntityQuery:
    """What to select (clause 5.7.2.3): selectors are ORed, every other filter ANDed."""

    selectors: tuple[Selector, ...] = ()
    attrs: frozenset[str] = field(default_factory=frozenset)  # names as the client wrote them
    q: Query | None = None
    scope_q: tuple[tuple[str, ...], ...] | None = None
    geo: GeoQuery | None = None


@dataclass
class QueryResult:
    entities: list[dict[str, Any]]
    records: list[EntityRecord]
    total: int | None


def check_ids(ids: tuple[str, ...]) -> None:
    for entity_id in ids:
        check_uri(entity_id, "id")


def compile_id_pattern(pattern: str) -> re.Pattern[str]:
    """idPattern, matched anywhere in the id (PostgreSQL's ~, SQLite's REGEXP: re.search)."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise BadRequestData(f"idPattern is not a valid regular expression: {exc}") from exc


def _driving_type(repo: EntityRepository, query: EntityQuery, context: Context) -> str | None:
    """SQLite, which plans without statistics: the type of a plain `type=T` query (one
    selector, one type, no ids, no geo), whose index then drives the scan in id order."""
    if repo.dialect != "sqlite" or query.geo is not None or len(query.selectors) != 1:
        return None
    selector = query.selectors[0]
    if selector.ids or selector.types is None:
        return None
    alternatives = selector.types.alternatives
    if len(alternatives) != 1 or len(alternatives[0]) != 1:
        return None
    return context.expand(alternatives[0][0])


def _selector(
    repo: EntityRepository,
    selector: Selector,
    context: Context,
    *,
    narrowed: bool,
    by_type: str | None = None,
) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if selector.ids:
        check_ids(selector.ids)
        parts.append(Entity.id.in_(selector.ids))
    if selector.id_pattern is not None:
        compile_id_pattern(selector.id_pattern)
        parts.append(Entity.id.regexp_match(selector.id_pattern))
    if selector.types is not None and by_type is None:
        parts.append(
            or_(
                *(
                    and_(
                        *(
                            repo.has_type(
                                context.expand(name), per_row=narrowed or bool(selector.ids)
                            )
                            for name in group
                        )
                    )
                    for group in selector.types.alternatives
                )
            )
        )
    return and_(true(), *parts)  # an empty selector selects every entity


def _conditions(
    repo: EntityRepository, query: EntityQuery, context: Context, *, by_type: str | None = None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    narrowed = query.geo is not None  # the spatial index finds the few candidates
    if query.selectors:
        where.append(
            or_(
                *(
                    _selector(repo, s, context, narrowed=narrowed, by_type=by_type)
                    for s in query.selectors
                )
            )
        )
    compiler = QueryCompiler(repo.dialect, context)
    if query.attrs:
        where.append(compiler.compile(Or(tuple(Exists(Path(a)) for a in sorted(query.attrs)))))
    if query.q is not None:
        where.append(compiler.compile(query.q))
    if query.scope_q is not None:
        where.append(scope_condition(repo.dialect, query.scope_q))
    return where


def _geo_conditions(repo: EntityRepository, geo: GeoQuery, context: Context) -> list[Any]:
    if context.expand(geo.geoproperty) != NGSI_LD + "location":
        return []
    box = geo.prefilter_box()
    if box is None:
        return [Entity.bbox_west.is_not(None)]
    relation, (west, south, east, north) = box
    return [repo.bbox_relates(relation, west, south, east, north)]


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
    repo = EntityRepository(session, access)
    by_type = _driving_type(repo, query, context)
    where = _conditions(repo, query, context, by_type=by_type)
    if query.geo is None:
        records = (
            await repo.query(where, limit=limit, offset=offset, by_type=by_type) if limit else []
        )
        total = await repo.count(where, by_type=by_type) if count else None
    else:
        geo = query.geo
        candidates = await repo.geometries(
            [*where, *_geo_conditions(repo, geo, context)], context.expand(geo.geoproperty)
        )
        matching = [entity_id for entity_id, geometry in candidates if geo.matches(geometry)]
        page = matching[offset : offset + limit]
        found = await repo.get_many(page)
        records = [found[i] for i in page if i in found]
        total = len(matching) if count else None
    events.read(session, records)
    entities = [render_entity(r, context, representation) for r in records]
    return QueryResult(entities=entities, records=records, total=total)
