"""From IoT Agent JSON measures to NGSI-LD entity fragments (pure functions, no I/O).

A device's effective configuration is its group's, overridden by its own: attribute mappings
by object_id, static attributes and commands added, timestamp and explicitAttrs replaced.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from broker.core import datetimes
from connectors.iot.peopleflow import model_type

TIME_INSTANT = "TimeInstant"
_RESERVED = frozenset({"id", "type", "@context", "scope", "createdAt", "modifiedAt"})
_GEO = frozenset({"geoproperty", "geo:json", "geo:point", "geo:line", "geo:polygon"})


class MalformedMeasure(ValueError):
    """A payload or value that cannot become an NGSI-LD attribute."""


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str
    type: str
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class DeviceConfig:
    """What turns one device's measures into updates of its entity."""

    tenant: str
    device_id: str
    entity_id: str
    entity_type: str
    mappings: dict[str, Mapping]  # object_id -> attribute
    static_attributes: tuple[dict[str, Any], ...] = ()
    commands: frozenset[str] = frozenset()
    timestamp: bool = False
    explicit: bool | frozenset[str] = False

    def mapping(self, key: str) -> Mapping | None:
        found = self.mappings.get(key)
        if found is not None:
            return found
        if self.explicit is True or (
            isinstance(self.explicit, frozenset) and key not in self.explicit
        ):
            return None
        return Mapping(key, model_type(self.entity_type, key) or "Property")


def mappings_of(*attribute_lists: list[dict[str, Any]]) -> dict[str, Mapping]:
    """object_id -> Mapping; later lists (the device's) override earlier ones (the group's)."""
    found: dict[str, Mapping] = {}
    for attributes in attribute_lists:
        for a in attributes:
            found[a.get("object_id") or a["name"]] = Mapping(
                a["name"], a.get("type") or "Property", a.get("metadata")
            )
    return found


def explicit_of(value: Any) -> bool | frozenset[str]:
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return bool(value)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(value: Any) -> datetime:
    try:
        return datetimes.parse_datetime(value)
    except datetimes.NotADateTime as exc:
        raise MalformedMeasure(f"timestamp {value!r}: {exc}") from exc


def _number(value: Any, kind: type[int] | type[float]) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedMeasure(f"not a number: {value!r}")
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError as exc:
        raise MalformedMeasure(f"not a number: {value!r}") from exc
    return round(number) if kind is int else number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value in (0, 1):
        return bool(value)
    raise MalformedMeasure(f"not a boolean: {value!r}")


def _geometry(kind: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and "type" in value and "coordinates" in value:
        return value
    if kind == "geo:point" and isinstance(value, str):
        try:
            lat, lon = (float(part) for part in value.split(","))
        except ValueError as exc:
            raise MalformedMeasure(f"geo:point must be 'latitude, longitude': {value!r}") from exc
        return {"type": "Point", "coordinates": [lon, lat]}
    raise MalformedMeasure(f"not a GeoJSON geometry: {value!r}")


def attribute(mapping: Mapping, value: Any, observed_at: str | None) -> dict[str, Any]:
    """One NGSI-LD attribute from a measure of the IoT Agent attribute type `mapping.type`."""
    kind = mapping.type.lower()
    if kind == "relationship":
        if not isinstance(value, str):
            raise MalformedMeasure(f"a relationship needs an entity id, not {value!r}")
        result: dict[str, Any] = {"type": "Relationship", "object": value}
    elif kind in _GEO:
        result = {"type": "GeoProperty", "value": _geometry(kind, value)}
    else:
        result = {"type": "Property", "value": _property_value(kind, value)}
    if observed_at is not None:
        result["observedAt"] = observed_at
    for name, meta in (mapping.metadata or {}).items():
        inner = meta.get("value") if isinstance(meta, dict) else meta
        result[name] = inner if name == "unitCode" else {"type": "Property", "value": inner}
    return result


def _property_value(kind: str, value: Any) -> Any:
    if value is None:
        raise MalformedMeasure("a measure may not be null")
    if kind in ("number", "float"):
        return _number(value, float)
    if kind == "integer":
        return _number(value, int)
    if kind == "boolean":
        return _boolean(value)
    if kind in ("datetime", "iso8601"):
        return {"@type": "DateTime", "@value": iso(parse_time(value))}
    if kind in ("text", "string"):
        return value if isinstance(value, str) else str(value)
    return value


def observed_at(config: DeviceConfig, measures: dict[str, Any], arrival: datetime) -> datetime:
    """The measure's time: its TimeInstant (or the attribute mapped to it), else arrival."""
    for key, value in measures.items():
        mapped = config.mappings.get(key)
        if key == TIME_INSTANT or (mapped is not None and mapped.name == TIME_INSTANT):
            return parse_time(value)
    return arrival


def entity_update(
    config: DeviceConfig, measures: dict[str, Any], arrival: datetime
) -> dict[str, Any]:
    """The NGSI-LD fragment (core @context) one measure object makes of the device's entity."""
    if not isinstance(measures, dict):
        raise MalformedMeasure("a measure must be a JSON object")
    moment = iso(observed_at(config, measures, arrival))
    update: dict[str, Any] = {"id": config.entity_id, "type": config.entity_type}
    for key, value in measures.items():
        mapping = config.mapping(key)
        if mapping is None or mapping.name == TIME_INSTANT or mapping.name in _RESERVED:
            continue
        update[mapping.name] = attribute(mapping, value, moment)
    for static in config.static_attributes:
        mapping = Mapping(static["name"], static.get("type") or "Property", static.get("metadata"))
        update[mapping.name] = attribute(mapping, static.get("value"), None)
    if config.timestamp:
        update[TIME_INSTANT] = {
            "type": "Property",
            "value": {"@type": "DateTime", "@value": moment},
        }
    return update


def command_result(
    config: DeviceConfig, results: dict[str, Any], arrival: datetime
) -> dict[str, Any]:
    """The `<cmd>_status` / `<cmd>_info` update a device's cmdexe message makes."""
    if not isinstance(results, dict) or not results:
        raise MalformedMeasure("a command result must be a JSON object {command: result}")
    moment = iso(arrival)
    update: dict[str, Any] = {"id": config.entity_id, "type": config.entity_type}
    for command, result in results.items():
        if command not in config.commands:
            raise MalformedMeasure(f"device {config.device_id} has no command {command!r}")
        update[f"{command}_status"] = {"type": "Property", "value": "OK", "observedAt": moment}
        update[f"{command}_info"] = {
            "type": "Property",
            "value": result if result is not None else "",
            "observedAt": moment,
        }
    return update


def command_pending(config: DeviceConfig, command: str, at: datetime) -> dict[str, Any]:
    return {
        "id": config.entity_id,
        "type": config.entity_type,
        f"{command}_status": {"type": "Property", "value": "PENDING", "observedAt": iso(at)},
    }
