"""Entity services (clauses 5.6 and 5.7.1): load, apply a change (broker.entities.changes), save.

Services never commit; the request's unit of work does, after the handler returns. Every change
is recorded (broker.entities.events) for the commit hooks: subscriptions, the audit log.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import AlreadyExists, ResourceNotFound
from broker.entities import changes, events
from broker.entities.attributes import check_uri
from broker.entities.changes import Clock
from broker.entities.documents import UpdateResult
from broker.entities.render import Representation, selects_anything
from broker.entities.repository import EntityCounts, EntityRecord, EntityRepository
from broker.jsonld.context import Context


async def _existing(
    repo: EntityRepository,
    entity_id: str,
    *,
    entity_type: str | None = None,
    context: Context | None = None,
) -> EntityRecord:
    """The entity to change, locked; 404 if absent or not of the selected `type` (V1.9)."""
    check_uri(entity_id, "entity id")
    record = await repo.get(entity_id, for_update=True)
    if record is None:
        raise ResourceNotFound(f"entity {entity_id} not found")
    if context is not None and not changes.check_selected_type(record, entity_type, context):
        raise ResourceNotFound(f"entity {entity_id} is not of type {entity_type}")
    return record


async def _save(
    session: AsyncSession,
    access: Access,
    repo: EntityRepository,
    before: EntityRecord,
    after: EntityRecord,
) -> None:
    access.check_writable_types(after.types)
    await repo.save(after)
    events.record(session, access.tenant, before, after)


def _no_attribute(entity_id: str, attribute: str, dataset_id: Any) -> ResourceNotFound:
    which = f" with datasetId {dataset_id}" if dataset_id else ""
    return ResourceNotFound(f"entity {entity_id} has no attribute {attribute}{which}")


async def create_entity(
    session: AsyncSession, access: Access, *, payload: Any, context: Context
) -> str:
    """5.6.1 Create Entity; returns the new entity's id."""
    record = changes.new_entity(payload, context, Clock.now())
    access.check_writable_types(record.types)
    if not await EntityRepository.of(session, access).insert(record):
        raise AlreadyExists(f"entity {record.id} already exists")
    events.record(session, access.tenant, None, record)
    return record.id


async def retrieve_entity(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    representation: Representation,
    entity_type: str | None = None,
    context: Context | None = None,
) -> EntityRecord:
    """5.7.1 Retrieve Entity; 404 if the selection (attrs, pick, omit) leaves nothing, or the
    entity is not of the selected `type` (V1.9)."""
    check_uri(entity_id, "entity id")
    record = await EntityRepository.of(session, access).get(entity_id)
    if record is None:
        raise ResourceNotFound(f"entity {entity_id} not found")
    if context is not None and not changes.check_selected_type(record, entity_type, context):
        raise ResourceNotFound(f"entity {entity_id} is not of type {entity_type}")
    if not selects_anything(record, representation):
        raise ResourceNotFound(f"entity {entity_id} has none of the requested attributes")
    events.read(session, [record])
    return record


async def replace_entity(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    payload: Any,
    context: Context,
    entity_type: str | None = None,
) -> None:
    """5.6.18 Replace Entity."""
    repo = EntityRepository.of(session, access)
    record = await _existing(repo, entity_id, entity_type=entity_type, context=context)
    await _save(
        session, access, repo, record, changes.replaced(record, payload, context, Clock.now())
    )


async def merge_entity(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    payload: Any,
    context: Context,
    entity_type: str | None = None,
) -> None:
    """5.6.17 Merge Entity."""
    repo = EntityRepository.of(session, access)
    record = await _existing(repo, entity_id, entity_type=entity_type, context=context)
    await _save(
        session, access, repo, record, changes.merged(record, payload, context, Clock.now())
    )


async def delete_entity(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    entity_type: str | None = None,
    context: Context | None = None,
) -> None:
    """5.6.6 Delete Entity (404 if not of the selected `type`, V1.9)."""
    repo = EntityRepository.of(session, access)
    if entity_type is not None:
        await _existing(repo, entity_id, entity_type=entity_type, context=context)
    check_uri(entity_id, "entity id")
    deleted = await repo.delete_many([entity_id])
    if entity_id not in deleted:
        raise ResourceNotFound(f"entity {entity_id} not found")
    access.check_writable_types(deleted[entity_id].types)  # else the unit of work rolls back
    events.record(session, access.tenant, deleted[entity_id], None)


async def append_attributes(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    payload: Any,
    context: Context,
    overwrite: bool,
    entity_type: str | None = None,
) -> UpdateResult:
    """5.6.3 Append Entity Attributes."""
    repo = EntityRepository.of(session, access)
    record = await _existing(repo, entity_id, entity_type=entity_type, context=context)
    new, result = changes.appended(record, payload, context, Clock.now(), overwrite=overwrite)
    await _save(session, access, repo, record, new)
    return result


async def update_attributes(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    payload: Any,
    context: Context,
    entity_type: str | None = None,
) -> UpdateResult:
    """5.6.2 Update Entity Attributes."""
    repo = EntityRepository.of(session, access)
    record = await _existing(repo, entity_id, entity_type=entity_type, context=context)
    new, result = changes.updated(record, payload, context, Clock.now())
    if result.updated:
        await _save(session, access, repo, record, new)
    return result


async def update_attribute(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    attribute: str,
    payload: Any,
    context: Context,
    replace: bool,
    entity_type: str | None = None,
) -> None:
    """5.6.4 Partial Attribute Update, or 5.6.19 Replace Attribute (replace=True)."""
    repo = EntityRepository.of(session, access)
    record = await _existing(repo, entity_id, entity_type=entity_type, context=context)
    new = changes.attribute_changed(
        record, attribute, payload, context, Clock.now(), replace_whole=replace
    )
    if new is None:
        dataset_id = payload.get("datasetId") if isinstance(payload, dict) else None
        raise _no_attribute(entity_id, attribute, dataset_id)
    await _save(session, access, repo, record, new)


async def delete_attribute(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    attribute: str,
    context: Context,
    dataset_id: str | None,
    delete_all: bool,
    entity_type: str | None = None,
) -> None:
    """5.6.5 Delete Entity Attribute."""
    repo = EntityRepository.of(session, access)
    record = await _existing(repo, entity_id, entity_type=entity_type, context=context)
    new = changes.attribute_deleted(
        record, attribute, context, Clock.now(), dataset_id=dataset_id, delete_all=delete_all
    )
    if new is None:
        raise _no_attribute(entity_id, attribute, dataset_id)
    await _save(session, access, repo, record, new)


async def entity_counts(session: AsyncSession) -> dict[str, int]:
    """Entities stored per tenant, for usage reports and metrics (every tenant: no access)."""
    return await EntityCounts(session).per_tenant()
