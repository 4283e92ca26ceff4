"""The commit hook that writes the temporal history of a unit of work's entity changes.

It runs inside the transaction, just before it commits (broker.core.db.Database.commit_hooks),
so no change reaches an entity without its instances: HTTP, batch operations and IoT measures
all go through the journal (broker.entities.events). One row per attribute instance that a
change created or changed; an instance that went away (attribute deleted, entity deleted)
leaves a deletion marker (deletedAt, the value NGSI-LD Null). History is never rewritten here.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from broker.core import datetimes
from broker.core.journal import journal
from broker.entities.attributes import NGSI_LD_NULL, VALUE_MEMBER
from broker.entities.events import EntityChange
from broker.entities.repository import EntityRecord
from broker.temporal.models import DEFAULT_DATASET
from broker.temporal.repository import TemporalRepository

_SYSTEM = ("createdAt", "modifiedAt")
Instances = dict[tuple[str, str], dict[str, Any]]  # (attribute IRI, datasetId) -> instance


def new_instance_id() -> str:
    return f"urn:ngsi-ld:{uuid.uuid4()}"


async def commit_hook(session: AsyncSession) -> None:
    changes: list[EntityChange] = journal(session).changes
    if not changes:
        return
    now = datetime.now(UTC)
    by_tenant: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        by_tenant[change.tenant] += history_rows(change, now)
    for tenant, rows in by_tenant.items():
        if rows:
            await TemporalRepository(session, tenant).append(rows)


def history_rows(change: EntityChange, now: datetime) -> list[dict[str, Any]]:
    """The instances a change adds to the history (columns of attribute_instances)."""
    before = _instances(change.before)
    after = _instances(change.after)
    record = change.after or change.before
    assert record is not None
    rows = [
        instance_row(record.id, record.types, key, instance, now)
        for key, instance in after.items()
        if before.get(key) != instance
    ]
    rows += [
        _deleted(record, key, instance, now) for key, instance in before.items() if key not in after
    ]
    return rows


def _instances(record: EntityRecord | None) -> Instances:
    if record is None:
        return {}
    return {
        (iri, instance.get("datasetId", DEFAULT_DATASET)): instance
        for iri, instances in record.attrs.items()
        for instance in instances
    }


def _stripped(instance: dict[str, Any]) -> dict[str, Any]:
    """The instance without system members, its sub-attributes too."""
    return {
        key: _stripped(value) if ":" in key and isinstance(value, dict) else value
        for key, value in instance.items()
        if key not in _SYSTEM
    }


def _recorded_at(instance: dict[str, Any], now: datetime) -> datetime:
    stamp = instance.get("modifiedAt")
    return datetimes.parse_datetime(stamp) if isinstance(stamp, str) else now


def _number(value: Any) -> float | None:
    """What aggregations compute on: numbers, and booleans as 1 and 0."""
    if isinstance(value, bool | int | float):
        return float(value)
    return None


def instance_row(
    entity_id: str,
    types: list[str],
    key: tuple[str, str],
    instance: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The columns of one instance (in the entities' stored form) of attribute key[0] and
    dataset key[1]; the temporal writes of broker.temporal.writes build theirs here too."""
    recorded = _recorded_at(instance, now)
    return {
        "entity_id": entity_id,
        "attribute": key[0],
        "dataset_id": key[1],
        "instance_id": new_instance_id(),
        "entity_types": list(types),
        "created_at": recorded,
        "modified_at": recorded,
        "deleted_at": None,
        **instance_content(instance),
    }


def instance_content(instance: dict[str, Any]) -> dict[str, Any]:
    """The columns an instance's content decides (what an instance modification rewrites)."""
    observed = instance.get("observedAt")
    attribute_type = instance.get("type", "Property")
    return {
        "observed_at": datetimes.parse_datetime(observed) if isinstance(observed, str) else None,
        "number": _number(instance.get(VALUE_MEMBER.get(attribute_type, "value"))),
        "document": _stripped(instance),
    }


def _deleted(
    record: EntityRecord, key: tuple[str, str], instance: dict[str, Any], now: datetime
) -> dict[str, Any]:
    attribute_type = instance.get("type", "Property")
    marker = {"type": attribute_type, VALUE_MEMBER.get(attribute_type, "value"): NGSI_LD_NULL}
    if "datasetId" in instance:
        marker["datasetId"] = instance["datasetId"]
    return {
        "entity_id": record.id,
        "attribute": key[0],
        "dataset_id": key[1],
        "instance_id": new_instance_id(),
        "entity_types": list(record.types),
        "observed_at": None,
        "created_at": now,
        "modified_at": now,
        "deleted_at": now,
        "number": None,
        "document": marker,
    }
