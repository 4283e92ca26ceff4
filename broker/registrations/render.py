"""A stored registration as a client reads it (clause 5.2.9), and as the distributed
operations use it (`RegisteredSource`)."""

from datetime import UTC, datetime
from typing import Any

from broker.entities.render import format_datetime
from broker.jsonld.context import Context
from broker.registrations.crypto import cipher
from broker.registrations.models import Registration
from broker.registrations.operations import DEFAULT_OPERATIONS
from broker.registrations.schemas import TYPE, Information
from broker.registrations.sources import EntitySelector, RegisteredSource

# contextSourceInfo values are never shown: the keys are, with this in place of each value.
REDACTED = "********"


def is_expired(row: Registration, now: datetime | None = None) -> bool:
    return row.expires_at is not None and row.expires_at <= (now or datetime.now(UTC))


def status_of(row: Registration) -> str:
    """expired; failed when the last request to the source failed; else ok."""
    if is_expired(row):
        return "expired"
    if row.last_failure is not None and (
        row.last_success is None or row.last_failure > row.last_success
    ):
        return "failed"
    return "ok"


def _compact_info(raw: dict[str, Any], context: Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "entities" in raw:
        out["entities"] = [{**e, "type": context.compact(e["type"])} for e in raw["entities"]]
    for key in ("propertyNames", "relationshipNames"):
        if key in raw:
            out[key] = [context.compact(name) for name in raw[key]]
    return out


def render_registration(row: Registration, context: Context) -> dict[str, Any]:
    """The registration with names compacted with `context`, contextSourceInfo redacted, and
    the status members the broker maintains."""
    out: dict[str, Any] = {"id": row.id, "type": TYPE}
    out.update({k: v for k, v in row.document.items() if k not in ("id", "type")})
    out["information"] = [_compact_info(raw, context) for raw in row.information]
    out["mode"] = row.mode
    out.setdefault("operations", list(DEFAULT_OPERATIONS))
    if row.info_keys:
        out["contextSourceInfo"] = [{"key": key, "value": REDACTED} for key in row.info_keys]
    out["status"] = status_of(row)
    out["timesSent"] = row.times_sent
    out["timesFailed"] = row.times_failed
    for key, value in (("lastSuccess", row.last_success), ("lastFailure", row.last_failure)):
        if value is not None:
            out[key] = format_datetime(value)
    return out


def information_of(row: Registration) -> list[Information]:
    return [Information.of_stored(raw) for raw in row.information]


def _seconds(milliseconds: Any) -> float | None:
    return float(milliseconds) / 1000 if milliseconds is not None else None


def registered_source(row: Registration, parts: list[Information]) -> RegisteredSource:
    """What the distributed operations get of a registration: the parts of its information
    that serve the request, merged (an entry without entities or names widens to "any")."""
    entities: tuple[EntitySelector, ...] = ()
    if all(part.entities for part in parts):
        entities = tuple(dict.fromkeys(s for part in parts for s in part.entities))
    properties: frozenset[str] = frozenset()
    relationships: frozenset[str] = frozenset()
    if all(part.attribute_names for part in parts):
        properties = frozenset().union(*(part.property_names for part in parts))
        relationships = frozenset().union(*(part.relationship_names for part in parts))
    management = row.document.get("management") or {}
    return RegisteredSource(
        registration_id=row.id,
        tenant_id=row.tenant_id,
        endpoint=row.endpoint,
        mode=row.mode,  # type: ignore[arg-type]
        operations=frozenset(row.operations),
        entities=entities,
        property_names=properties,
        relationship_names=relationships,
        remote_tenant=row.document.get("tenant"),
        headers=cipher().open(row.sealed_info),
        timeout_seconds=_seconds(management.get("timeout")),
        cooldown_seconds=_seconds(management.get("cooldown")),
        local_only=bool(management.get("localOnly", False)),
    )
