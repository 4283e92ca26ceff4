"""Batch entity operations (clauses 5.6.7-5.6.10 and 5.6.20): each entity all-or-nothing.

A batch loads every named entity in one statement (locked for update), applies the same change
functions as the single-entity operations in memory, then writes new and changed entities with
multi-row statements. One entity's error is reported for it and does not stop the others.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import AlreadyExists, BadRequestData, NgsiLdError, ResourceNotFound
from broker.entities import changes, events
from broker.entities.attributes import check_uri, is_uri
from broker.entities.changes import Clock
from broker.entities.repository import EntityRecord, EntityRepository
from broker.jsonld.context import Context


@dataclass
class BatchResult:
    """Clause 5.2.16 BatchOperationResult."""

    success: list[str] = field(default_factory=list)
    errors: list[tuple[str, NgsiLdError]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "errors": [{"entityId": i, "error": e.to_problem()} for i, e in self.errors],
        }


def _entity_id(item: Any) -> str:
    if not isinstance(item, dict):
        raise BadRequestData("each entity of a batch must be a JSON object")
    return check_uri(item.get("id"), "entity id")


def check_batch(payload: Any, limit: int) -> list[Any]:
    if not isinstance(payload, list):
        raise BadRequestData("a batch operation takes a JSON array")
    if not payload:
        raise BadRequestData("a batch operation needs at least one entity")
    if len(payload) > limit:
        raise BadRequestData(f"a batch may hold at most {limit} entities")
    if any(item is None for item in payload):
        # a null is no entity to report on: the request is malformed, nothing is applied
        raise BadRequestData("a batch operation's array must not hold null")
    return payload


Change = Callable[[EntityRecord | None, dict[str, Any], Context], EntityRecord]


class _Batch:
    """Applies one change per item to records held in memory, then stores them together."""

    def __init__(self, session: AsyncSession, access: Access) -> None:
        self.session = session
        self.access = access
        self.repo = EntityRepository.of(session, access)
        self.result = BatchResult()
        self.loaded: dict[str, EntityRecord] = {}
        self.records: dict[str, EntityRecord | None] = {}
        self.new: set[str] = set()
        self.changed: set[str] = set()

    async def load(self, ids: list[str]) -> None:
        self.loaded = await self.repo.get_many(ids, for_update=True)
        self.records = {i: self.loaded.get(i) for i in ids}

    def apply(self, items: list[Any], contexts: list[Context], change: Change) -> None:
        for item, context in zip(items, contexts, strict=True):
            entity_id = item.get("id") if isinstance(item, dict) else None
            try:
                entity_id = _entity_id(item)
                current = self.records.get(entity_id)
                record = change(current, item, context)
                self.access.check_writable_types(record.types)
            except NgsiLdError as error:
                self.result.errors.append((str(entity_id), error))
                continue
            if current is None:
                self.new.add(entity_id)
            elif entity_id not in self.new:
                self.changed.add(entity_id)
            self.records[entity_id] = record
            self.result.success.append(entity_id)

    async def store(self) -> BatchResult:
        new = [r for i, r in self.records.items() if i in self.new and r is not None]
        inserted = await self.repo.insert_many(new)
        for record in new:
            if record.id not in inserted:  # created meanwhile by a concurrent request
                self.result.success.remove(record.id)
                self.result.errors.append(
                    (record.id, AlreadyExists(f"entity {record.id} already exists"))
                )
        self.result.created = [r.id for r in new if r.id in inserted]
        changed = [r for i, r in self.records.items() if i in self.changed and r is not None]
        await self.repo.save_many(changed)
        tenant = self.access.tenant
        for record in new:
            if record.id in inserted:
                events.record(self.session, tenant, None, record)
        for record in changed:
            events.record(self.session, tenant, self.loaded[record.id], record)
        return self.result


def _ids(items: list[Any]) -> list[str]:
    """The ids to load: only valid ones reach the store, the others fail in apply()."""
    return [i["id"] for i in items if isinstance(i, dict) and is_uri(i.get("id"))]


async def create(
    session: AsyncSession, access: Access, *, items: list[Any], contexts: list[Context]
) -> BatchResult:
    """5.6.7 Batch Entity Creation."""
    clock = Clock.now()
    batch = _Batch(session, access)
    await batch.load(_ids(items))

    def change(
        current: EntityRecord | None, item: dict[str, Any], context: Context
    ) -> EntityRecord:
        if current is not None:
            raise AlreadyExists(f"entity {item['id']} already exists")
        return changes.new_entity(item, context, clock)

    batch.apply(items, contexts, change)
    return await batch.store()


async def upsert(
    session: AsyncSession,
    access: Access,
    *,
    items: list[Any],
    contexts: list[Context],
    replace: bool,
) -> BatchResult:
    """5.6.8 Batch Entity Create or Update (options=replace, the default, or update)."""
    clock = Clock.now()
    batch = _Batch(session, access)
    await batch.load(_ids(items))

    def change(
        current: EntityRecord | None, item: dict[str, Any], context: Context
    ) -> EntityRecord:
        if current is None:
            return changes.new_entity(item, context, clock)
        if replace:
            return changes.replaced(current, item, context, clock)
        return changes.appended(current, item, context, clock, overwrite=True)[0]

    batch.apply(items, contexts, change)
    return await batch.store()


async def update(
    session: AsyncSession,
    access: Access,
    *,
    items: list[Any],
    contexts: list[Context],
    overwrite: bool,
) -> BatchResult:
    """5.6.9 Batch Entity Update (append attributes; options=noOverwrite keeps existing)."""
    clock = Clock.now()
    batch = _Batch(session, access)
    await batch.load(_ids(items))

    def change(
        current: EntityRecord | None, item: dict[str, Any], context: Context
    ) -> EntityRecord:
        if current is None:
            raise ResourceNotFound(f"entity {item['id']} not found")
        record, result = changes.appended(current, item, context, clock, overwrite=overwrite)
        if not result.complete:
            names = ", ".join(name for name, _ in result.not_updated)
            raise BadRequestData(f"attributes exist and noOverwrite was given: {names}")
        return record

    batch.apply(items, contexts, change)
    return await batch.store()


async def merge(
    session: AsyncSession, access: Access, *, items: list[Any], contexts: list[Context]
) -> BatchResult:
    """5.6.20 Batch Entity Merge."""
    clock = Clock.now()
    batch = _Batch(session, access)
    await batch.load(_ids(items))

    def change(
        current: EntityRecord | None, item: dict[str, Any], context: Context
    ) -> EntityRecord:
        if current is None:
            raise ResourceNotFound(f"entity {item['id']} not found")
        return changes.merged(current, item, context, clock)

    batch.apply(items, contexts, change)
    return await batch.store()


async def delete(session: AsyncSession, access: Access, *, ids: list[Any]) -> BatchResult:
    """5.6.10 Batch Entity Delete: the body is an array of entity ids."""
    result = BatchResult()
    valid: list[str] = []
    for entity_id in ids:
        try:
            valid.append(check_uri(entity_id, "entity id"))
        except NgsiLdError as error:
            result.errors.append((str(entity_id), error))
    repo = EntityRepository.of(session, access)
    found = await repo.get_many(valid, for_update=True)
    deletable: list[str] = []
    for entity_id in dict.fromkeys(valid):
        try:
            if entity_id not in found:
                raise ResourceNotFound(f"entity {entity_id} not found")
            access.check_writable_types(found[entity_id].types)
        except NgsiLdError as error:
            result.errors.append((entity_id, error))
            continue
        deletable.append(entity_id)
    deleted = await repo.delete_many(deletable)
    for entity_id in deletable:
        result.success.append(entity_id)
        events.record(session, access.tenant, deleted.get(entity_id, found[entity_id]), None)
    return result
