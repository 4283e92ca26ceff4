"""The only code that reads and writes entity rows; every statement is filtered by tenant."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from auth.principals import Access
from broker.core.db import JSONDocument, upsert_insert
from broker.entities.models import Entity, EntityType

_table = Entity.__table__
_CHUNK = 1000  # ids per IN (...) list and rows per multi-row statement


@dataclass(slots=True)
class EntityRecord:
    id: str
    types: list[str]
    scopes: list[str] | None
    attrs: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    bbox: tuple[float, float, float, float] | None = None
    stored_types: list[str] | None = field(default=None, repr=False)

    def columns(self) -> dict[str, Any]:
        west, south, east, north = self.bbox or (None, None, None, None)
        return {
            "id": self.id,
            "types": self.types,
            "scopes": self.scopes,
            "attrs": self.attrs,
            "created_at": self.created_at,
            "modified_at": self.modified_at,
            "bbox_west": west,
            "bbox_south": south,
            "bbox_east": east,
            "bbox_north": north,
        }


_COLUMNS = (
    Entity.id,
    Entity.types,
    Entity.scopes,
    Entity.attrs,
    Entity.created_at,
    Entity.modified_at,
)


def _record(row: Sequence[Any]) -> EntityRecord:
    record = EntityRecord(*row)
    record.stored_types = list(record.types)
    return record


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class EntityRepository:
    """Entity rows of one tenant, and of them only those of the types the access may see."""

    def __init__(self, session: AsyncSession, access: Access) -> None:
        self.session = session
        self.tenant = access.tenant
        self.types = access.types

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _in_tenant(self) -> ColumnElement[bool]:
        if self.types is None:
            return Entity.tenant_id == self.tenant
        return and_(Entity.tenant_id == self.tenant, self.has_any_type(sorted(self.types)))

    async def get(self, entity_id: str, *, for_update: bool = False) -> EntityRecord | None:
        statement = select(*_COLUMNS).where(self._in_tenant(), Entity.id == entity_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self.session.execute(statement)).one_or_none()
        return _record(row) if row else None

    async def get_many(
        self, entity_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, EntityRecord]:
        found: dict[str, EntityRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(entity_ids))):
            statement = select(*_COLUMNS).where(self._in_tenant(), Entity.id.in_(chunk))
            if for_update:
                statement = statement.with_for_update()
            for row in await self.session.execute(statement):
                found[row[0]] = _record(row)
        return found

    async def insert(self, record: EntityRecord) -> bool:
        """Insert a new entity; False if one with that id exists in the tenant."""
        return bool(await self.insert_many([record]))

    async def insert_many(self, records: Sequence[EntityRecord]) -> set[str]:
        """Insert new entities; returns the ids inserted (the others existed already)."""
        inserted: set[str] = set()
        for chunk in _chunks(records):
            statement = (
                upsert_insert(self.session, _table).on_conflict_do_nothing().returning(Entity.id)
            )
            rows = [{"tenant_id": self.tenant, **r.columns()} for r in chunk]
            if len(rows) == 1:
                result = await self.session.execute(statement.values(rows[0]))
            else:
                result = await self.session.execute(statement, rows)
            inserted.update(result.scalars())
        await self._write_types([r for r in records if r.id in inserted])
        return inserted

    async def save(self, record: EntityRecord) -> None:
        await self.save_many([record])

    async def save_many(self, records: Sequence[EntityRecord]) -> None:
        """Write back changed entities (bulk UPDATE by primary key)."""
        if not records:
            return
        for chunk in _chunks(records):
            await self.session.execute(
                update(Entity), [{"tenant_id": self.tenant, **r.columns()} for r in chunk]
            )
        retyped = [r for r in records if r.types != r.stored_types]
        if retyped:
            for chunk in _chunks([r.id for r in retyped]):
                await self.session.execute(
                    delete(EntityType).where(
                        EntityType.tenant_id == self.tenant, EntityType.entity_id.in_(chunk)
                    )
                )
            await self._write_types(retyped)

    async def _write_types(self, records: Sequence[EntityRecord]) -> None:
        rows = [
            {"tenant_id": self.tenant, "type": t, "entity_id": r.id}
            for r in records
            for t in r.types
        ]
        for chunk in _chunks(rows):
            await self.session.execute(insert(EntityType), list(chunk))
        for record in records:
            record.stored_types = list(record.types)

    async def delete_many(self, entity_ids: Sequence[str]) -> dict[str, EntityRecord]:
        """Delete entities; returns the deleted ones as they were."""
        deleted: dict[str, EntityRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(entity_ids))):
            result = await self.session.execute(
                delete(Entity).where(self._in_tenant(), Entity.id.in_(chunk)).returning(*_COLUMNS)
            )
            for row in result:
                deleted[row[0]] = _record(row)
        return deleted

    # -- queries ---------------------------------------------------------------------------

    def has_type(self, type_iri: str, *, per_row: bool = False) -> ColumnElement[bool]:
        return self.has_any_type([type_iri], per_row=per_row)

    def has_any_type(
        self, type_iris: Sequence[str], *, per_row: bool = False
    ) -> ColumnElement[bool]:
        """The entity has one of these types.

        PostgreSQL: a containment test on the row (GIN-indexed), which the planner weighs
        against the other filters. SQLite, which plans without statistics: the entity_types
        index either as a set of ids (good when the type is the most selective filter) or,
        with `per_row`, probed for each candidate other filters (ids, the R*Tree) found.
        """
        if self.dialect == "postgresql":
            types = type_coerce(Entity.types, JSONB)
            return or_(*(types.contains([t]) for t in type_iris))
        matching = (EntityType.tenant_id == self.tenant, EntityType.type.in_(list(type_iris)))
        if per_row:
            return exists().where(*matching, EntityType.entity_id == Entity.id)
        return Entity.id.in_(select(EntityType.entity_id).where(*matching))

    def _select(
        self, columns: Sequence[Any], where: Sequence[ColumnElement[bool]], by_type: str | None
    ) -> sa.Select[Any]:
        """SELECT columns of matching rows. With `by_type` (SQLite, a single-type query whose
        `where` leaves the type out) the scan walks that type's index rows, which are in id
        order, so a page stops after `limit` matches; a list of all the type's ids would be
        built and sorted first otherwise."""
        if by_type is None:
            return select(*columns).select_from(Entity).where(self._in_tenant(), *where)
        on = and_(Entity.tenant_id == EntityType.tenant_id, Entity.id == EntityType.entity_id)
        return (
            select(*columns)
            .select_from(sa.join(EntityType, Entity, on))
            .where(
                EntityType.tenant_id == self.tenant,
                EntityType.type == by_type,
                self._in_tenant(),
                *where,
            )
        )

    async def query(
        self,
        where: Sequence[ColumnElement[bool]],
        *,
        limit: int,
        offset: int,
        by_type: str | None = None,
    ) -> list[EntityRecord]:
        order = Entity.id if by_type is None else EntityType.entity_id
        statement = (
            self._select(_COLUMNS, where, by_type).order_by(order).limit(limit).offset(offset)
        )
        return [_record(row) for row in await self.session.execute(statement)]

    async def count(
        self, where: Sequence[ColumnElement[bool]], *, by_type: str | None = None
    ) -> int:
        statement = self._select([func.count()], where, by_type)
        return int(await self.session.scalar(statement) or 0)

    async def geometries(
        self, where: Sequence[ColumnElement[bool]], geo_iri: str
    ) -> list[tuple[str, Any]]:
        """(id, instances of the GeoProperty) of matching entities, in id order."""
        geometry: Any
        if self.dialect == "postgresql":
            geometry = Entity.attrs.op("->")(geo_iri)
        else:
            geometry = func.json_extract(Entity.attrs, '$."' + geo_iri.replace('"', "") + '"')
        statement = (
            select(Entity.id, type_coerce(geometry, JSONDocument))
            .where(self._in_tenant(), *where)
            .order_by(Entity.id)
        )
        return [(row[0], row[1]) for row in await self.session.execute(statement)]

    def bbox_relates(
        self, relation: str, west: float, south: float, east: float, north: float
    ) -> ColumnElement[bool]:
        """The entity's bounding box `overlaps` or `contains` a box, through the spatial index."""
        if self.dialect == "postgresql":
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


async def entity_counts(session: AsyncSession) -> dict[str, int]:
    """Entities stored per tenant (usage reports)."""
    statement = select(Entity.tenant_id, func.count()).group_by(Entity.tenant_id)
    return {row[0]: int(row[1]) for row in await session.execute(statement)}
