"""Which service group an API key names, and the configuration a device's measures use."""

from dataclasses import dataclass
from typing import Any

from broker.core.db import Database
from broker.core.snapshot import Snapshot
from connectors.iot import repository
from connectors.iot.measures import DeviceConfig, explicit_of, mappings_of
from connectors.iot.models import Device, ServiceGroup

DEFAULT_ENTITY_TYPE = "Thing"


@dataclass(frozen=True)
class GroupConfig:
    tenant: str
    apikey: str
    resource: str
    service_path: str
    entity_type: str | None
    autoprovision: bool
    timestamp: bool | None
    explicit_attrs: Any
    attributes: list[dict[str, Any]]
    static_attributes: list[dict[str, Any]]
    commands: list[dict[str, Any]]

    @classmethod
    def of(cls, row: ServiceGroup) -> "GroupConfig":
        return cls(
            tenant=row.tenant_id,
            apikey=row.apikey,
            resource=row.resource,
            service_path=row.service_path,
            entity_type=row.entity_type,
            autoprovision=row.autoprovision,
            timestamp=row.timestamp,
            explicit_attrs=row.explicit_attrs,
            attributes=row.attributes,
            static_attributes=row.static_attributes,
            commands=row.commands,
        )

    @property
    def key(self) -> tuple[str, str]:
        return (self.tenant, self.apikey)


def default_entity_id(entity_type: str, device_id: str) -> str:
    """The IoT Agent's NGSI-LD default: urn:ngsi-ld:<entity type>:<device id>."""
    return f"urn:ngsi-ld:{entity_type}:{device_id}"


def device_config(group: GroupConfig | None, device: Device) -> DeviceConfig:
    """The group's configuration overridden by the device's own."""
    group_attributes = group.attributes if group else []
    group_static = group.static_attributes if group else []
    group_commands = group.commands if group else []
    timestamp = device.timestamp if device.timestamp is not None else (group and group.timestamp)
    explicit = device.explicit_attrs
    if explicit is None and group is not None:
        explicit = group.explicit_attrs
    statics = {a["name"]: a for a in [*group_static, *device.static_attributes]}
    return DeviceConfig(
        tenant=device.tenant_id,
        device_id=device.device_id,
        entity_id=device.entity_name,
        entity_type=device.entity_type,
        mappings=mappings_of(group_attributes, device.attributes),
        static_attributes=tuple(statics.values()),
        commands=frozenset(c["name"] for c in [*group_commands, *device.commands]),
        timestamp=bool(timestamp),
        explicit=explicit_of(explicit),
    )


class GroupDirectory:
    """Every service group by API key, from an in-process snapshot of the groups table
    (this replica's changes apply at once, other replicas' within `ttl` seconds)."""

    def __init__(self, db: Database, *, ttl: float) -> None:
        self.db = db
        self._snapshot = Snapshot(self._load, ttl)
        db.on_changed(repository.GROUPS_TABLE, self.invalidate)

    async def _load(self) -> dict[str, list[GroupConfig]]:
        async with self.db.read_session() as session:
            rows = await repository.ApiKeyRepository(session).all_groups()
        found: dict[str, list[GroupConfig]] = {}
        for row in rows:
            found.setdefault(row.apikey, []).append(GroupConfig.of(row))
        return found

    async def by_apikey(self, apikey: str) -> GroupConfig | None:
        """The group of `apikey` (any resource; API keys are unique across tenants)."""
        groups = (await self._snapshot.get()).get(apikey)
        if not groups:
            groups = (await self._snapshot.get(max_age=1.0)).get(apikey)
        return groups[0] if groups else None

    def invalidate(self) -> None:
        self._snapshot.invalidate()
