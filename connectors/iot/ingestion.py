"""Storing device readings: many readings, one unit of work per tenant, entity updates through
the broker's batch service (so subscriptions and the audit log see them).

Both transports use it: the MQTT worker with a batch of messages, `POST /iot/json` with one
request. Counters go to the stats object only after the unit of work has committed.
"""

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

import broker.entities.batch.service as batch
from auth.audit.entry import WRITE, AuditEntry
from auth.audit.log import attach_entry
from auth.principals import Access
from broker.core.db import Database
from broker.core.journal import journal
from broker.jsonld.context import Context
from connectors.iot.directory import (
    DEFAULT_ENTITY_TYPE,
    GroupConfig,
    default_entity_id,
    device_config,
)
from connectors.iot.measures import (
    DeviceConfig,
    MalformedMeasure,
    command_result,
    entity_update,
)
from connectors.iot.models import Device
from connectors.iot.repository import IotRepository
from connectors.iot.stats import IngestionStats

log = logging.getLogger("renkei.iot")

Kind = Literal["attrs", "cmdexe"]


@dataclass(frozen=True)
class Reading:
    """One message (or request) of one device: a measure object, a list of them, or a
    command result; `source` is its topic or HTTP path, for logs and the audit log."""

    group: GroupConfig
    device_id: str
    payload: Any
    arrival: datetime
    source: str
    kind: Kind = "attrs"


@dataclass
class _Tally:
    """Counts of one unit of work, applied to the stats once it has committed."""

    group: list[tuple[tuple[str, str], str]] = field(default_factory=list)
    device: list[tuple[tuple[str, str], str]] = field(default_factory=list)

    def add(self, reading: Reading, what: str, *, device: bool = True) -> None:
        self.group.append((reading.group.key, what))
        if device:
            self.device.append(((reading.group.tenant, reading.device_id), what))

    def apply(self, stats: IngestionStats) -> None:
        for key, what in self.group:
            stats.count_group(key, what)
        for key, what in self.device:
            stats.count_device(key, what)


class Ingestion:
    def __init__(self, db: Database, stats: IngestionStats, context: Context) -> None:
        self.db = db
        self.stats = stats
        self.context = context

    @asynccontextmanager
    async def _unit_of_work(self, tenant: str, channel: str) -> AsyncIterator[AsyncSession]:
        """The one place ingestion opens a unit of work: a batch of one tenant's readings
        commits with its audit entry (the entities it wrote), or not at all."""
        started, clock = datetime.now(UTC), time.perf_counter()
        async with self.db.transaction() as session:
            yield session
            entry = journal(session)
            attach_entry(
                session,
                AuditEntry(
                    recorded_at=started,
                    tenant=tenant,
                    method=channel,
                    route=f"iot-ingestion/{channel.lower()}",
                    path=f"/iot/{channel.lower()}",
                    status=200,
                    kind=WRITE,
                    subject="renkei",
                    entity_ids=list(entry.entity_ids),
                    entity_count=entry.entity_count,
                    latency_us=int((time.perf_counter() - clock) * 1_000_000),
                    source=channel.lower(),
                ),
            )

    async def store(self, readings: list[Reading], *, channel: str) -> Counter[str]:
        """Store readings of any tenants; returns how many readings were received, unknown
        devices, malformed or failed. Raises if a unit of work fails (nothing of that tenant's
        readings is then stored, and the caller may retry them all)."""
        by_tenant: dict[str, list[Reading]] = {}
        for reading in readings:
            by_tenant.setdefault(reading.group.tenant, []).append(reading)
        outcome: Counter[str] = Counter()
        for tenant, mine in by_tenant.items():
            tally = _Tally()
            async with self._unit_of_work(tenant, channel) as session:
                await self._store_tenant(session, tenant, mine, tally)
            tally.apply(self.stats)
            outcome.update(what for _, what in tally.group)
        return outcome

    async def _store_tenant(
        self, session: AsyncSession, tenant: str, readings: list[Reading], tally: _Tally
    ) -> None:
        repo = IotRepository(session, tenant)
        devices = await self._devices(repo, readings, tally)
        items: list[dict[str, Any]] = []
        owners: dict[str, list[Reading]] = {}
        seen: dict[str, datetime] = {}
        for reading in readings:
            device = devices.get(reading.device_id)
            if device is None or device.apikey not in (None, reading.group.apikey):
                tally.add(reading, "unknownDevices", device=False)
                continue
            tally.add(reading, "received")
            try:
                updates = _updates(device_config(reading.group, device), reading)
            except MalformedMeasure as exc:
                log.warning("malformed measure on %s: %s", reading.source, exc)
                tally.add(reading, "malformed")
                continue
            items.extend(updates)
            owners.setdefault(device.entity_name, []).append(reading)
            seen[device.device_id] = max(
                reading.arrival, seen.get(device.device_id, reading.arrival)
            )
        if items:
            result = await batch.upsert(
                session,
                Access.system(tenant),
                items=items,
                contexts=[self.context] * len(items),
                replace=False,
            )
            for entity_id, error in result.errors:
                log.warning("entity %s not updated: %s", entity_id, error.detail)
                for reading in owners.get(entity_id, []):
                    tally.add(reading, "failed")
        await repo.seen(seen)

    async def _devices(
        self, repo: IotRepository, readings: list[Reading], tally: _Tally
    ) -> dict[str, Device]:
        """The readings' devices; unknown ones of auto-provisioning groups are created."""
        found = await repo.devices_by_id(r.device_id for r in readings)
        new: dict[str, dict[str, Any]] = {}
        for reading in readings:
            if reading.device_id in found or reading.device_id in new:
                continue
            if reading.group.autoprovision and reading.kind == "attrs":
                new[reading.device_id] = _autoprovisioned(reading)
        if new:
            await repo.add_devices(list(new.values()))
            found.update(await repo.devices_by_id(new))
            log.info("auto-provisioned %d device(s) in tenant %s", len(new), repo.tenant)
        return found


def _updates(config: DeviceConfig, reading: Reading) -> list[dict[str, Any]]:
    if reading.kind == "cmdexe":
        return [command_result(config, reading.payload, reading.arrival)]
    measures = reading.payload if isinstance(reading.payload, list) else [reading.payload]
    if not measures:
        raise MalformedMeasure("an empty list of measures")
    return [entity_update(config, m, reading.arrival) for m in measures]


def _autoprovisioned(reading: Reading) -> dict[str, Any]:
    group = reading.group
    entity_type = group.entity_type or DEFAULT_ENTITY_TYPE
    now = datetime.now(UTC)
    return {
        "device_id": reading.device_id,
        "apikey": group.apikey,
        "service_path": group.service_path,
        "entity_name": default_entity_id(entity_type, reading.device_id),
        "entity_type": entity_type,
        "timestamp": None,
        "explicit_attrs": None,
        "attributes": [],
        "static_attributes": [],
        "commands": [],
        "protocol": "IoTA-JSON",
        "transport": "MQTT" if reading.source != "/iot/json" else "HTTP",
        "autoprovisioned": True,
        "last_seen": None,
        "created_at": now,
        "updated_at": now,
    }
