"""Temporal writes (clauses 5.6.11 to 5.6.16): add, modify and delete attribute instances.

They change the history only, never the current entity: the temporal API is how past
measures are imported or corrected, and the entity API is how the present is changed (which
records its own instances, broker.temporal.recording). So a temporal create of an id that is
no entity yet makes a temporal entity that Retrieve Temporal Evolution finds by its id while
Retrieve Entity does not. A temporal entity exists while it is a current entity or has
instances; its types are the current entity's, else those its history last had.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import BadRequestData, ResourceNotFound
from broker.entities.attributes import (
    AttributeParser,
    check_attribute_name,
    check_uri,
    expand_types,
    is_multi_attribute,
)
from broker.entities.changes import Clock, attribute_members, entity_object
from broker.jsonld.context import Context
from broker.temporal.models import DEFAULT_DATASET
from broker.temporal.recording import instance_content, instance_row
from broker.temporal.repository import TemporalRepository
from broker.temporal.service import temporal_types


async def _existing(session: AsyncSession, access: Access, entity_id: str) -> list[str]:
    """The types of the temporal entity to change; 404 when the caller sees none; 403 when it
    may not write them."""
    types = await temporal_types(session, access, entity_id)
    if types is None:
        raise ResourceNotFound(f"temporal entity {entity_id} not found")
    access.check_writable_types(types)
    return types


def _instance_rows(
    entity_id: str, types: list[str], members: dict[str, Any], context: Context, clock: Clock
) -> list[dict[str, Any]]:
    """Every instance of a temporal fragment: each attribute is an array of instances (4.5.8),
    several of which may share a datasetId, as they are the same attribute at other times."""
    parser = AttributeParser(context, clock.text)
    rows = []
    for name, raw in members.items():
        iri = context.expand(check_attribute_name(name))
        for item in raw if is_multi_attribute(raw) else [raw]:
            for instance in parser.attribute(name, item):
                key = (iri, instance.get("datasetId", DEFAULT_DATASET))
                rows.append(instance_row(entity_id, types, key, instance, clock.moment))
    return rows


async def upsert_temporal(
    session: AsyncSession, access: Access, *, payload: Any, context: Context
) -> tuple[str, bool]:
    """5.6.11 Create or Update Temporal Evolution of an Entity: the id, and whether the
    temporal entity is new (201) rather than given more instances (204)."""
    body = entity_object(payload, "temporal entity")
    entity_id = check_uri(body.get("id"), "entity id")
    existing = await temporal_types(session, access, entity_id)
    if existing is None and "type" not in body:
        raise BadRequestData("a new temporal entity needs a type")
    named = expand_types(body["type"], context) if "type" in body else []
    types = list(dict.fromkeys([*(existing or []), *named]))
    access.check_writable_types(types)
    rows = _instance_rows(entity_id, types, attribute_members(body), context, Clock.now())
    if existing is None and not rows:
        raise BadRequestData("a new temporal entity needs at least one attribute instance")
    await TemporalRepository.of(session, access).append(rows)
    return entity_id, existing is None


async def add_instances(
    session: AsyncSession, access: Access, *, entity_id: str, payload: Any, context: Context
) -> None:
    """5.6.12 Add Attributes to Temporal Evolution of an Entity."""
    types = await _existing(session, access, entity_id)
    body = entity_object(payload, "temporal fragment")
    if body.get("id", entity_id) != entity_id:
        raise BadRequestData("the entity id in the body differs from the one in the URL")
    rows = _instance_rows(entity_id, types, attribute_members(body), context, Clock.now())
    if not rows:
        raise BadRequestData("the fragment holds no attribute instance")
    await TemporalRepository.of(session, access).append(rows)


async def delete_temporal(session: AsyncSession, access: Access, *, entity_id: str) -> None:
    """5.6.16 Delete Temporal Representation of an Entity: its whole history; the current
    entity, if there is one, stays."""
    await _existing(session, access, entity_id)
    await TemporalRepository.of(session, access).remove(entity_id)


async def delete_attribute_history(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    attribute: str,
    context: Context,
    dataset_id: str | None,
    delete_all: bool,
) -> None:
    """5.6.13 Delete Attribute from Temporal Evolution: the instances of the default instance,
    of `dataset_id`, or of every dataset (`delete_all`)."""
    await _existing(session, access, entity_id)
    if delete_all and dataset_id is not None:
        raise BadRequestData("deleteAll and datasetId exclude each other")
    if dataset_id is not None:
        check_uri(dataset_id, "datasetId")
    iri = context.expand(check_attribute_name(attribute))
    dataset = None if delete_all else (dataset_id or DEFAULT_DATASET)
    removed = await TemporalRepository.of(session, access).remove(
        entity_id, attribute=iri, dataset_id=dataset
    )
    if not removed:
        which = f" with datasetId {dataset_id}" if dataset_id else ""
        raise ResourceNotFound(f"temporal entity {entity_id} has no {attribute}{which}")


async def modify_instance(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    attribute: str,
    instance_id: str,
    payload: Any,
    context: Context,
) -> None:
    """5.6.14 Modify Attribute Instance: its content replaced by the fragment's one instance of
    the attribute; its instanceId, datasetId and createdAt stay, its modifiedAt is now."""
    await _existing(session, access, entity_id)
    check_uri(instance_id, "instanceId")
    iri = context.expand(check_attribute_name(attribute))
    members = attribute_members(entity_object(payload, "attribute fragment"))
    names = [n for n in members if context.expand(check_attribute_name(n)) == iri]
    if len(members) != 1 or not names:
        raise BadRequestData(f"the fragment must hold attribute {attribute!r} only")
    raw = members[names[0]]
    if is_multi_attribute(raw):
        if len(raw) != 1:
            raise BadRequestData("an instance modification holds exactly one instance")
        raw = raw[0]
    repo = TemporalRepository.of(session, access)
    found = await repo.instance(entity_id, iri, instance_id)
    if found is None:
        raise ResourceNotFound(f"{attribute} of {entity_id} has no instance {instance_id}")
    clock = Clock.now()
    (instance,) = AttributeParser(context, clock.text).attribute(names[0], raw)
    if instance.get("datasetId", DEFAULT_DATASET) != found.dataset_id:
        raise BadRequestData("an instance modification cannot change the instance's datasetId")
    columns = instance_content(instance) | {"modified_at": clock.moment, "deleted_at": None}
    await repo.rewrite(entity_id, iri, instance_id, columns)


async def delete_instance(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    attribute: str,
    instance_id: str,
    context: Context,
) -> None:
    """5.6.15 Delete Attribute Instance."""
    await _existing(session, access, entity_id)
    check_uri(instance_id, "instanceId")
    iri = context.expand(check_attribute_name(attribute))
    removed = await TemporalRepository.of(session, access).remove(
        entity_id, attribute=iri, instance_id=instance_id
    )
    if not removed:
        raise ResourceNotFound(f"{attribute} of {entity_id} has no instance {instance_id}")
