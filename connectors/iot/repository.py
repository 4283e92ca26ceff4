"""SQL of IoT provisioning: service groups and devices.

`IotRepository` is bound to one tenant (broker.core.repository.TenantBoundRepository): each of
its statements carries the base's tenant filter. `ApiKeyRepository` is the package's one
cross-tenant lookup: a device names its API key, not its tenant, so the tenant is found from
the key."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, select, update

from broker.core.db import changed, upsert_insert
from broker.core.repository import Repository, TenantBoundRepository
from connectors.iot.models import Device, ServiceGroup

GROUPS_TABLE = "iot_service_groups"


class ApiKeyRepository(Repository):
    """The package's one lookup not filtered by tenant: a device names its API key, not its
    tenant (MQTT topics carry no tenant), so ingestion finds the tenant from the key. The
    table holds a few rows per tenant."""

    async def all_groups(self) -> Sequence[ServiceGroup]:
        """Every tenant's service groups."""
        return (await self.session.scalars(select(ServiceGroup))).all()

    async def tenants_using(self, apikey: str) -> set[str]:
        """Tenants having a group with `apikey` (API keys are unique across tenants)."""
        rows = await self.session.scalars(
            select(ServiceGroup.tenant_id).where(ServiceGroup.apikey == apikey).distinct()
        )
        return set(rows)


class IotRepository(TenantBoundRepository):
    # -- service groups ----------------------------------------------------------------

    def _group(self, apikey: str, resource: str | None) -> list[ColumnElement[bool]]:
        where = [self.owns(ServiceGroup), ServiceGroup.apikey == apikey]
        if resource is not None:
            where.append(ServiceGroup.resource == resource)
        return where

    async def groups(self, *, limit: int, offset: int) -> tuple[Sequence[ServiceGroup], int]:
        mine = self.owns(ServiceGroup)
        total = await self.session.scalar(select(func.count()).where(mine))
        rows = await self.session.scalars(
            select(ServiceGroup)
            .where(mine)
            .order_by(ServiceGroup.apikey, ServiceGroup.resource)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), int(total or 0)

    async def groups_with(self, apikey: str) -> Sequence[ServiceGroup]:
        rows = await self.session.scalars(select(ServiceGroup).where(*self._group(apikey, None)))
        return rows.all()

    async def add_groups(self, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(
            upsert_insert(self.session, ServiceGroup.__table__).values(
                [{**row, "tenant_id": self.tenant} for row in rows]
            )
        )
        changed(self.session, GROUPS_TABLE)

    async def update_group(self, apikey: str, resource: str | None, values: dict[str, Any]) -> int:
        result = await self.session.execute(
            update(ServiceGroup).where(*self._group(apikey, resource)).values(**values)
        )
        changed(self.session, GROUPS_TABLE)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def delete_group(self, apikey: str, resource: str | None) -> int:
        result = await self.session.execute(
            delete(ServiceGroup).where(*self._group(apikey, resource))
        )
        changed(self.session, GROUPS_TABLE)
        return int(result.rowcount)  # type: ignore[attr-defined]

    # -- devices -----------------------------------------------------------------------

    def _mine(self) -> ColumnElement[bool]:
        return self.owns(Device)

    async def devices(self, *, limit: int, offset: int) -> tuple[Sequence[Device], int]:
        total = await self.session.scalar(select(func.count()).where(self._mine()))
        rows = await self.session.scalars(
            select(Device)
            .where(self._mine())
            .order_by(Device.device_id)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), int(total or 0)

    async def devices_by_id(self, device_ids: Iterable[str]) -> dict[str, Device]:
        ids = list(set(device_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(Device).where(self._mine(), Device.device_id.in_(ids))
        )
        return {row.device_id: row for row in rows}

    async def add_devices(self, rows: list[dict[str, Any]]) -> None:
        """Insert devices; ones that exist meanwhile (another replica) are left as they are."""
        if rows:
            await self.session.execute(
                upsert_insert(self.session, Device.__table__)
                .values([{**row, "tenant_id": self.tenant} for row in rows])
                .on_conflict_do_nothing()
            )

    async def update_device(self, device_id: str, values: dict[str, Any]) -> int:
        result = await self.session.execute(
            update(Device).where(self._mine(), Device.device_id == device_id).values(**values)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def delete_devices(self, device_ids: list[str] | None = None, *, apikey: str = "") -> int:
        """Delete these devices, or (device_ids None) every device of `apikey`."""
        where = [self._mine()]
        where.append(
            Device.device_id.in_(device_ids) if device_ids is not None else Device.apikey == apikey
        )
        result = await self.session.execute(delete(Device).where(*where))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def seen(self, last_seen: dict[str, datetime]) -> None:
        """Record when devices were last heard from (one executemany statement)."""
        if not last_seen:
            return
        table = Device.__table__
        statement = (
            update(table)  # type: ignore[arg-type]
            .where(table.c.tenant_id == bindparam("t"), table.c.device_id == bindparam("d"))
            .values(last_seen=bindparam("seen"))
        )
        await self.session.execute(
            statement,
            [{"t": self.tenant, "d": d, "seen": at} for d, at in sorted(last_seen.items())],
        )
