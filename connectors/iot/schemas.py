"""Provisioning payloads shaped as iotagent-node-lib's: `{"services": [...]}`, `{"devices": [...]}`.

Fields Renkei does not use (cbroker, trust, lazy, internal_attributes, expressions, ...) are
accepted and ignored, so existing provisioning scripts run unchanged.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_ID = r"^[^\s/#+?&]{1,256}$"  # usable as one MQTT topic level and in a URN
_APIKEY = r"^[^\s/#+?&]{1,128}$"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AttributeMapping(_Lenient):
    """A measure (`object_id`, default: `name`) becoming the attribute `name` of type `type`."""

    object_id: str | None = Field(default=None, min_length=1, max_length=256)
    name: str = Field(min_length=1, max_length=256)
    type: str = Field(default="Property", min_length=1, max_length=64)
    metadata: dict[str, Any] | None = None


class StaticAttribute(_Lenient):
    name: str = Field(min_length=1, max_length=256)
    type: str = Field(default="Property", min_length=1, max_length=64)
    value: Any = None
    metadata: dict[str, Any] | None = None


class Command(_Lenient):
    name: str = Field(min_length=1, max_length=256, pattern=r"^[^\s/#+]+$")
    type: str = "command"


class _Mappings(_Lenient):
    timestamp: bool | None = None
    explicitAttrs: bool | list[str] | None = None
    attributes: list[AttributeMapping] = Field(default_factory=list)
    static_attributes: list[StaticAttribute] = Field(default_factory=list)
    commands: list[Command] = Field(default_factory=list)


class ServiceGroupIn(_Mappings):
    apikey: str = Field(pattern=_APIKEY)
    resource: str = Field(default="/iot/json", min_length=1, max_length=256)
    entity_type: str | None = Field(default=None, min_length=1, max_length=256)
    autoprovision: bool = True


class ServiceGroupsIn(_Lenient):
    services: list[ServiceGroupIn] = Field(min_length=1)


class ServiceGroupUpdate(_Lenient):
    """PUT /iot/services?resource=&apikey=: the fields given replace the stored ones."""

    entity_type: str | None = Field(default=None, min_length=1, max_length=256)
    autoprovision: bool | None = None
    timestamp: bool | None = None
    explicitAttrs: bool | list[str] | None = None
    attributes: list[AttributeMapping] | None = None
    static_attributes: list[StaticAttribute] | None = None
    commands: list[Command] | None = None


class DeviceIn(_Mappings):
    device_id: str = Field(pattern=_ID)
    entity_name: str | None = Field(default=None, min_length=1, max_length=2048)
    entity_type: str | None = Field(default=None, min_length=1, max_length=256)
    apikey: str | None = Field(default=None, pattern=_APIKEY)
    protocol: str | None = Field(default=None, max_length=64)
    transport: str | None = Field(default=None, pattern=r"^(MQTT|HTTP)$")


class DevicesIn(_Lenient):
    devices: list[DeviceIn] = Field(min_length=1)


class DeviceUpdate(_Lenient):
    """PUT /iot/devices/{device_id}: the fields given replace the stored ones."""

    entity_name: str | None = Field(default=None, min_length=1, max_length=2048)
    entity_type: str | None = Field(default=None, min_length=1, max_length=256)
    apikey: str | None = Field(default=None, pattern=_APIKEY)
    timestamp: bool | None = None
    explicitAttrs: bool | list[str] | None = None
    attributes: list[AttributeMapping] | None = None
    static_attributes: list[StaticAttribute] | None = None
    commands: list[Command] | None = None
    protocol: str | None = Field(default=None, max_length=64)
    transport: str | None = Field(default=None, pattern=r"^(MQTT|HTTP)$")


class GroupCounters(BaseModel):
    received: int = 0
    malformed: int = 0
    unknownDevices: int = 0
    failed: int = 0
    acknowledged: int = 0


class ServiceGroupOut(BaseModel):
    service: str
    subservice: str
    apikey: str
    resource: str
    entity_type: str | None
    autoprovision: bool
    timestamp: bool | None
    explicitAttrs: bool | list[str] | None
    attributes: list[dict[str, Any]]
    static_attributes: list[dict[str, Any]]
    commands: list[dict[str, Any]]
    stats: GroupCounters = Field(description="this process's counters since it started")


class ServiceGroupList(BaseModel):
    count: int
    services: list[ServiceGroupOut]


class DeviceCounters(BaseModel):
    received: int = 0
    malformed: int = 0
    failed: int = 0


class DeviceOut(BaseModel):
    device_id: str
    service: str
    service_path: str
    entity_name: str
    entity_type: str
    apikey: str | None
    timestamp: bool | None
    explicitAttrs: bool | list[str] | None
    attributes: list[dict[str, Any]]
    static_attributes: list[dict[str, Any]]
    commands: list[dict[str, Any]]
    protocol: str | None
    transport: str | None
    autoprovisioned: bool
    lastSeen: str | None = Field(description="when its last measure was stored (UTC)")
    stale: bool = Field(description="no measure for longer than RENKEI_IOT_STALE_AFTER")
    stats: DeviceCounters = Field(description="this process's counters since it started")


class DeviceList(BaseModel):
    count: int
    devices: list[DeviceOut]
