"""Query Entities in SQL: an EntityQuery compiled to one statement over the tenant's entities.

The service hands over the checked query and the @context; this repository alone turns it into
SQL (with query/sql.py's compiler for q and scopeQ) and runs it. Geo queries are two-step: the
bounding-box index finds candidates, shapely (GeoQuery.matches) decides.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, func, or_, select, true, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from broker.core.db import JSONDocument
from broker.entities.models import Entity, EntityType
from broker.entities.query.geo import GeoQuery
from broker.entities.query.grammar import Exists, Or, Path
from broker.entities.query.selection import EntityQuery, Selector
from broker.entities.query.sql import QueryCompiler, scope_condition
from broker.entities.repository import COLUMNS, EntityRecord, EntityRepository, record_of
from broker.jsonld.context import NGSI_LD, Context


@dataclass
class Found:
    records: list[EntityRecord]
    total: int | None  # when counted
    more: bool  # entities follow this page


class QueryRepository(EntityRepository):
    async def find(
        self, query: EntityQuery, context: Context, *, limit: int, offset: int, count: bool
    ) -> Found:
        """One page of matching entities in stable id order, and their total when asked."""
        by_type = self._driving_type(query, context)
        where = self._conditions(query, context, by_type=by_type)
        if query.geo is None:
            # one row past the page tells whether another page follows
            records = await self._page(where, limit + 1, offset, by_type) if limit else []
            total = await self._count(where, by_type) if count else None
            more = len(records) > limit if limit else bool(total and total > offset)
            return Found(records[:limit], total, more)
        geo = query.geo
        candidates = await self._geometries(
            [*where, *self._geo_conditions(geo, context)], context.expand(geo.geoproperty)
        )
        matching = [entity_id for entity_id, geometry in candidates if geo.matches(geometry)]
        page = matching[offset : offset + limit]
        found = await self.get_many(page)
        records = [found[i] for i in page if i in found]
        return Found(records, len(matching) if count else None, len(matching) > offset + limit)

    # -- the query as conditions -----------------------------------------------------------

    def _driving_type(self, query: EntityQuery, context: Context) -> str | None:
        """SQLite, which plans without statistics: the type of a plain `type=T` query (one
        selector, one type, no ids, no geo), whose index then drives the scan in id order."""
        if self.dialect != "sqlite" or query.geo is not None or len(query.selectors) != 1:
            return None
        selector = query.selectors[0]
        if selector.ids or selector.types is None:
            return None
        alternatives = selector.types.alternatives
        if len(alternatives) != 1 or len(alternatives[0]) != 1:
            return None
        return context.expand(alternatives[0][0])

    def _selector(
        self, selector: Selector, context: Context, *, narrowed: bool, by_type: str | None
    ) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        if selector.ids:
            parts.append(Entity.id.in_(selector.ids))
        if selector.id_pattern is not None:
            parts.append(Entity.id.regexp_match(selector.id_pattern))
        if selector.types is not None and by_type is None:
            per_row = narrowed or bool(selector.ids)
            parts.append(
                or_(
                    *(
                        and_(*(self.has_type(context.expand(n), per_row=per_row) for n in group))
                        for group in selector.types.alternatives
                    )
                )
            )
        return and_(true(), *parts)  # an empty selector selects every entity

    def _conditions(
        self, query: EntityQuery, context: Context, *, by_type: str | None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        narrowed = query.geo is not None  # the spatial index finds the few candidates
        if query.selectors:
            selectors = (
                self._selector(s, context, narrowed=narrowed, by_type=by_type)
                for s in query.selectors
            )
            where.append(or_(*selectors))
        compiler = QueryCompiler(self.dialect, context)
        if query.attrs:
            where.append(compiler.compile(Or(tuple(Exists(Path(a)) for a in sorted(query.attrs)))))
        if query.q is not None:
            where.append(compiler.compile(query.q))
        if query.scope_q is not None:
            where.append(scope_condition(self.dialect, query.scope_q))
        return where

    def _geo_conditions(self, geo: GeoQuery, context: Context) -> list[ColumnElement[bool]]:
        if context.expand(geo.geoproperty) != NGSI_LD + "location":
            return []
        box = geo.prefilter_box()
        if box is None:
            return [Entity.bbox_west.is_not(None)]
        relation, (west, south, east, north) = box
        return [self._bbox_relates(relation, west, south, east, north)]

    # -- statements ------------------------------------------------------------------------

    def _select(
        self, columns: Sequence[Any], where: Sequence[ColumnElement[bool]], by_type: str | None
    ) -> sa.Select[Any]:
        """SELECT columns of matching rows. With `by_type` (SQLite, a single-type query whose
        `where` leaves the type out) the scan walks that type's index rows, which are in id
        order, so a page stops after `limit` matches; a list of all the type's ids would be
        built and sorted first otherwise."""
        if by_type is None:
            return select(*columns).select_from(Entity).where(self.visible(), *where)
        on = and_(Entity.tenant_id == EntityType.tenant_id, Entity.id == EntityType.entity_id)
        return (
            select(*columns)
            .select_from(sa.join(EntityType, Entity, on))
            .where(
                EntityType.tenant_id == self.tenant,
                EntityType.type == by_type,
                self.visible(),
                *where,
            )
        )

    async def _page(
        self, where: Sequence[ColumnElement[bool]], limit: int, offset: int, by_type: str | None
    ) -> list[EntityRecord]:
        order = Entity.id if by_type is None else EntityType.entity_id
        statement = self._select(COLUMNS, where, by_type).order_by(order).limit(limit)
        rows = await self.session.execute(statement.offset(offset))
        return [record_of(row) for row in rows]

    async def _count(self, where: Sequence[ColumnElement[bool]], by_type: str | None) -> int:
        statement = self._select([func.count()], where, by_type)
        return int(await self.session.scalar(statement) or 0)

    async def _geometries(
        self, where: Sequence[ColumnElement[bool]], geo_iri: str
    ) -> list[tuple[str, Any]]:
        """(id, instances of the GeoProperty) of matching entities, in id order."""
        geometry: Any
        if self.postgres:
            geometry = Entity.attrs.op("->")(geo_iri)
        else:
            geometry = func.json_extract(Entity.attrs, '$."' + geo_iri.replace('"', "") + '"')
        statement = (
            select(Entity.id, type_coerce(geometry, JSONDocument))
            .where(self.visible(), *where)
            .order_by(Entity.id)
        )
        return [(row[0], row[1]) for row in await self.session.execute(statement)]

    def _bbox_relates(
        self, relation: str, west: float, south: float, east: float, north: float
    ) -> ColumnElement[bool]:
        """The entity's bounding box `overlaps` or `contains` a box, through the spatial index."""
        if self.postgres:
            entity_box = func.box(
                func.point(Entity.bbox_west, Entity.bbox_south),
                func.point(Entity.bbox_east, Entity.bbox_north),
            )
            query_box = func.box(func.point(west, south), func.point(east, north))
            operator = "@>" if relation == "contains" else "&&"
            return and_(Entity.bbox_west.is_not(None), entity_box.op(operator)(query_box))
        if relation == "contains":
            inside = "b.west <= :bw AND b.east >= :be AND b.south <= :bs AND b.north >= :bn"
        else:
            inside = "b.west <= :be AND b.east >= :bw AND b.south <= :bn AND b.north >= :bs"
        # CROSS JOIN makes SQLite search the R*Tree first, then fetch keys by their primary key.
        sql = (
            "entities.id IN (SELECT k.entity_id FROM entity_bbox AS b CROSS JOIN "
            f"entity_geo_keys AS k WHERE k.id = b.id AND k.tenant_id = :bt AND {inside})"
        )
        condition = sa.text(sql).bindparams(bw=west, bs=south, be=east, bn=north, bt=self.tenant)
        return condition  # type: ignore[return-value]
