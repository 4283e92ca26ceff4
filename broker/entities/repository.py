"""The only code that reads and writes entity rows; every statement is filtered by tenant."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
from sqlalchemy.sql.elements import ColumnElement

from broker.core.db import upsert_insert
from broker.core.repository import Repository, TenantBoundRepository
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


COLUMNS = (
    Entity.id,
    Entity.types,
    Entity.scopes,
    Entity.attrs,
    Entity.created_at,
    Entity.modified_at,
)


def record_of(row: Sequence[Any]) -> EntityRecord:
    record = EntityRecord(*row)
    record.stored_types = list(record.types)
    return record


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class EntityScope(TenantBoundRepository):
    """The entities of one tenant that the caller may see: the one place where the tenant
    filter and the visibility of entity types (a grant limited to some types) are applied."""

    def visible(self) -> ColumnElement[bool]:
        """The filter every statement over `entities` carries."""
        if self.types is None:
            return Entity.tenant_id == self.tenant
        return and_(Entity.tenant_id == self.tenant, self.has_any_type(sorted(self.types)))

    def visible_text(self, entity_id: str) -> tuple[str, dict[str, Any]]:
        """The same visibility for a textual statement: an ` AND ...` fragment on the column
        `entity_id` of the entities it scans (already filtered by tenant), and its binds."""
        if self.types is None:
            return "", {}
        fragment = (
            f" AND {entity_id} IN (SELECT v.entity_id FROM entity_types AS v "
            "WHERE v.tenant_id = :visible_tenant AND v.type IN :visible_types)"
        )
        return fragment, {"visible_tenant": self.tenant, "visible_types": sorted(self.types)}

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
        if self.postgres:
            types = type_coerce(Entity.types, JSONB)
            return or_(*(types.contains([t]) for t in type_iris))
        matching = (EntityType.tenant_id == self.tenant, EntityType.type.in_(list(type_iris)))
        if per_row:
            return exists().where(*matching, EntityType.entity_id == Entity.id)
        return Entity.id.in_(select(EntityType.entity_id).where(*matching))


class EntityRepository(EntityScope):
    """Entity rows: read, insert, write back, delete."""

    async def get(self, entity_id: str, *, for_update: bool = False) -> EntityRecord | None:
        statement = select(*COLUMNS).where(self.visible(), Entity.id == entity_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self.session.execute(statement)).one_or_none()
        return record_of(row) if row else None

    async def get_many(
        self, entity_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, EntityRecord]:
        found: dict[str, EntityRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(entity_ids))):
            statement = select(*COLUMNS).where(self.visible(), Entity.id.in_(chunk))
            if for_update:
                statement = statement.with_for_update()
            for row in await self.session.execute(statement):
                found[row[0]] = record_of(row)
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
                delete(Entity).where(self.visible(), Entity.id.in_(chunk)).returning(*COLUMNS)
            )
            for row in result:
                deleted[row[0]] = record_of(row)
        return deleted


class EntityCounts(Repository):
    """Across tenants, for the usage reports: the one statement over entities of every tenant."""

    async def per_tenant(self) -> dict[str, int]:
        """Entities stored per tenant."""
        statement = select(Entity.tenant_id, func.count()).group_by(Entity.tenant_id)
        return {row[0]: int(row[1]) for row in await self.session.execute(statement)}
