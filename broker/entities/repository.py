"""The only code that reads and writes entity rows; every statement is filtered by tenant."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.db import upsert_insert
from broker.entities.models import Entity

_table = Entity.__table__


@dataclass(slots=True)
class EntityRecord:
    id: str
    types: list[str]
    scopes: list[str] | None
    attrs: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    bbox: tuple[float, float, float, float] | None = None

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


class EntityRepository:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    async def get(self, entity_id: str, *, for_update: bool = False) -> EntityRecord | None:
        statement = select(*_COLUMNS).where(Entity.tenant_id == self.tenant, Entity.id == entity_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self.session.execute(statement)).one_or_none()
        return EntityRecord(*row) if row else None

    async def insert(self, record: EntityRecord) -> bool:
        """Insert a new entity; False if one with that id exists in the tenant."""
        statement = (
            upsert_insert(self.session, _table)
            .values(tenant_id=self.tenant, **record.columns())
            .on_conflict_do_nothing()
            .returning(Entity.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def save(self, record: EntityRecord) -> None:
        await self.session.execute(
            update(Entity)
            .where(Entity.tenant_id == self.tenant, Entity.id == record.id)
            .values(**record.columns())
        )

    async def delete(self, entity_id: str) -> bool:
        result = await self.session.execute(
            delete(Entity).where(Entity.tenant_id == self.tenant, Entity.id == entity_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
