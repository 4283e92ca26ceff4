"""Provisioning rules: service groups and devices of the caller's tenant (iotagent-node-lib's
/iot/services and /iot/devices). Services never commit."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from connectors.iot import errors
from connectors.iot.directory import DEFAULT_ENTITY_TYPE, default_entity_id
from connectors.iot.measures import iso
from connectors.iot.models import Device, ServiceGroup
from connectors.iot.repository import ApiKeyRepository, IotRepository
from connectors.iot.schemas import (
    DeviceIn,
    DeviceList,
    DeviceOut,
    DevicesIn,
    DeviceUpdate,
    ServiceGroupList,
    ServiceGroupOut,
    ServiceGroupsIn,
    ServiceGroupUpdate,
)
from connectors.iot.stats import IngestionStats

_RENAMED = {"explicitAttrs": "explicit_attrs"}


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    return {_RENAMED.get(k, k): v for k, v in fields.items()}


# -- service groups ----------------------------------------------------------------------


async def create_groups(
    session: AsyncSession, access: Access, *, body: ServiceGroupsIn, service_path: str
) -> None:
    """Register service groups; all or none (409 if one exists or its key is taken)."""
    repo = IotRepository.of(session, access)
    now = datetime.now(UTC)
    rows = []
    for group in body.services:
        existing = await repo.groups_with(group.apikey)
        # a key another tenant uses answers exactly as a duplicate of one's own: no oracle of
        # other tenants' keys (a key names its devices' topics, so it cannot be shared)
        if any(g.resource == group.resource for g in existing) or (
            await ApiKeyRepository(session).tenants_using(group.apikey) - {access.tenant}
        ):
            raise errors.duplicate_group(group.apikey, group.resource)
        fields = group.model_dump(mode="json")
        rows.append(
            _columns(fields) | {"service_path": service_path, "created_at": now, "updated_at": now}
        )
    if len({(r["apikey"], r["resource"]) for r in rows}) < len(rows):
        raise errors.bad_payload("the same apikey and resource appear twice")
    await repo.add_groups(rows)


def _group_out(group: ServiceGroup, stats: IngestionStats) -> ServiceGroupOut:
    return ServiceGroupOut(
        service=group.tenant_id,
        subservice=group.service_path,
        apikey=group.apikey,
        resource=group.resource,
        entity_type=group.entity_type,
        autoprovision=group.autoprovision,
        timestamp=group.timestamp,
        explicitAttrs=group.explicit_attrs,
        attributes=group.attributes,
        static_attributes=group.static_attributes,
        commands=group.commands,
        stats=stats.group(group.tenant_id, group.apikey),  # type: ignore[arg-type]
    )


async def list_groups(
    session: AsyncSession, access: Access, *, limit: int, offset: int, stats: IngestionStats
) -> ServiceGroupList:
    rows, total = await IotRepository.of(session, access).groups(limit=limit, offset=offset)
    return ServiceGroupList(count=total, services=[_group_out(g, stats) for g in rows])


async def update_group(
    session: AsyncSession,
    access: Access,
    *,
    apikey: str,
    resource: str | None,
    body: ServiceGroupUpdate,
) -> None:
    values = _columns(body.model_dump(mode="json", exclude_unset=True))
    if not values:
        raise errors.bad_payload("nothing to change")
    values["updated_at"] = datetime.now(UTC)
    if not await IotRepository.of(session, access).update_group(apikey, resource, values):
        raise errors.group_not_found(apikey, resource)


async def delete_group(
    session: AsyncSession,
    access: Access,
    *,
    apikey: str,
    resource: str | None,
    with_devices: bool,
) -> None:
    """Remove a service group (and, with `with_devices`, the devices of its API key)."""
    repo = IotRepository.of(session, access)
    if not await repo.delete_group(apikey, resource):
        raise errors.group_not_found(apikey, resource)
    if with_devices:
        await repo.delete_devices(apikey=apikey)


# -- devices -----------------------------------------------------------------------------


async def _entity_type(repo: IotRepository, device: DeviceIn) -> str:
    if device.entity_type:
        return device.entity_type
    if device.apikey:
        groups = await repo.groups_with(device.apikey)
        if groups and groups[0].entity_type:
            return groups[0].entity_type
    return DEFAULT_ENTITY_TYPE


async def create_devices(
    session: AsyncSession, access: Access, *, body: DevicesIn, service_path: str
) -> None:
    """Provision devices; all or none (409 if one exists)."""
    repo = IotRepository.of(session, access)
    ids = [d.device_id for d in body.devices]
    if len(set(ids)) < len(ids):
        raise errors.bad_payload("the same device_id appears twice")
    existing = await repo.devices_by_id(ids)
    if existing:
        raise errors.duplicate_device(sorted(existing)[0])
    now = datetime.now(UTC)
    rows = []
    for device in body.devices:
        entity_type = await _entity_type(repo, device)
        fields = _columns(device.model_dump(mode="json"))
        fields |= {
            "entity_type": entity_type,
            "entity_name": device.entity_name or default_entity_id(entity_type, device.device_id),
            "service_path": service_path,
            "transport": device.transport or "MQTT",
            "autoprovisioned": False,
            "last_seen": None,
            "created_at": now,
            "updated_at": now,
        }
        rows.append(fields)
    await repo.add_devices(rows)


def _device_out(device: Device, stats: IngestionStats, stale_after: float) -> DeviceOut:
    seen = device.last_seen
    stale = seen is None or datetime.now(UTC) - seen > timedelta(seconds=stale_after)
    return DeviceOut(
        device_id=device.device_id,
        service=device.tenant_id,
        service_path=device.service_path,
        entity_name=device.entity_name,
        entity_type=device.entity_type,
        apikey=device.apikey,
        timestamp=device.timestamp,
        explicitAttrs=device.explicit_attrs,
        attributes=device.attributes,
        static_attributes=device.static_attributes,
        commands=device.commands,
        protocol=device.protocol,
        transport=device.transport,
        autoprovisioned=device.autoprovisioned,
        lastSeen=iso(seen) if seen else None,
        stale=stale,
        stats=stats.device(device.tenant_id, device.device_id),  # type: ignore[arg-type]
    )


async def list_devices(
    session: AsyncSession,
    access: Access,
    *,
    limit: int,
    offset: int,
    stats: IngestionStats,
    stale_after: float,
) -> DeviceList:
    rows, total = await IotRepository.of(session, access).devices(limit=limit, offset=offset)
    return DeviceList(count=total, devices=[_device_out(d, stats, stale_after) for d in rows])


async def get_device(
    session: AsyncSession,
    access: Access,
    *,
    device_id: str,
    stats: IngestionStats,
    stale_after: float,
) -> DeviceOut:
    found = await IotRepository.of(session, access).devices_by_id([device_id])
    if device_id not in found:
        raise errors.device_not_found(device_id)
    return _device_out(found[device_id], stats, stale_after)


async def update_device(
    session: AsyncSession, access: Access, *, device_id: str, body: DeviceUpdate
) -> None:
    values = _columns(body.model_dump(mode="json", exclude_unset=True))
    if not values:
        raise errors.bad_payload("nothing to change")
    values["updated_at"] = datetime.now(UTC)
    if not await IotRepository.of(session, access).update_device(device_id, values):
        raise errors.device_not_found(device_id)


async def delete_device(session: AsyncSession, access: Access, *, device_id: str) -> None:
    """Remove a device; its entity stays (as with the IoT Agent)."""
    if not await IotRepository.of(session, access).delete_devices([device_id]):
        raise errors.device_not_found(device_id)
