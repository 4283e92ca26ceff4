"""The commit hook that turns a unit of work's entity changes into outbox rows.

It runs inside the transaction, just before it commits (broker.core.db.Database.commit_hooks):
the change and the notifications it causes commit together or not at all. Per tenant touched,
one SELECT reads its active subscriptions; each is tested in memory against every change.
All the changes of one unit of work that concern a subscription go in one notification (in
chunks of MAX_ENTITIES_PER_NOTIFICATION).
"""

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.db import changed
from broker.core.journal import journal
from broker.entities.events import EntityChange
from broker.subscriptions.compiled import Compiled, CompiledCache
from broker.subscriptions.repository import SubscriptionRepository

OUTBOX_TABLE = "notification_outbox"
MAX_ENTITIES_PER_NOTIFICATION = 100


def outbox_row(
    compiled: Compiled, data: list[Any], now: datetime, due: datetime | None = None
) -> dict[str, Any]:
    return {
        "subscription_id": compiled.spec.id,
        "endpoint": compiled.spec.endpoint.key,
        "data": data,
        "created_at": now,
        "due_at": due or now,
        "attempts": 0,
        "claimed_until": None,
    }


class ChangeMatcher:
    def __init__(self, cache: CompiledCache) -> None:
        self.cache = cache

    async def commit_hook(self, session: AsyncSession) -> None:
        changes: list[EntityChange] = journal(session).changes
        if not changes:
            return
        by_tenant: dict[str, list[EntityChange]] = defaultdict(list)
        for change in changes:
            by_tenant[change.tenant].append(change)
        now = datetime.now(UTC)
        queued = False
        for tenant, items in by_tenant.items():
            queued |= await self._match_tenant(session, tenant, items, now)
        if queued:
            changed(session, OUTBOX_TABLE)  # wakes this process's notifier after the commit

    async def _match_tenant(
        self, session: AsyncSession, tenant: str, changes: list[EntityChange], now: datetime
    ) -> bool:
        repo = SubscriptionRepository(session, tenant)
        hits: dict[str, tuple[Compiled, list[Any]]] = {}
        for found in await repo.watching(now):
            compiled = await self.cache.get(
                tenant,
                found.id,
                found.modified_at,
                found.document,
                found.context,
                found.context_documents,
            )
            if compiled is None:
                continue
            visible = frozenset(found.entity_types) if found.entity_types is not None else None
            data = [
                compiled.render(c, now)
                for c in changes
                if _visible(c, visible) and compiled.concerns(c)
            ]
            if data:
                hits[found.id] = (compiled, data)
        throttled = {i: c.spec.throttling for i, (c, _) in hits.items() if c.spec.throttling}
        due = await repo.throttle(sorted(throttled), now, throttled)
        rows = []
        for subscription_id, (compiled, data) in hits.items():
            at = due.get(subscription_id, now)
            if at > now:  # throttled: into the notification waiting for the period's end
                data = await repo.fold_into_deferred(
                    subscription_id, now, data, most=MAX_ENTITIES_PER_NOTIFICATION
                )
            rows += [
                outbox_row(compiled, data[start : start + MAX_ENTITIES_PER_NOTIFICATION], now, at)
                for start in range(0, len(data), MAX_ENTITIES_PER_NOTIFICATION)
            ]
        await repo.enqueue(rows)
        return bool(rows)


def _visible(change: EntityChange, types: frozenset[str] | None) -> bool:
    """Whether the subscriber's client may see the changed entity (any one type suffices)."""
    record = change.after or change.before
    return types is None or (record is not None and any(t in types for t in record.types))
