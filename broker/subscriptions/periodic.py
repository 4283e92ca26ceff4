"""Periodic subscriptions (timeInterval): every interval, the matching entities are queued.

A delivery worker calls `queue_due` about once a second. One transaction takes the due
subscriptions (SKIP LOCKED on PostgreSQL, so replicas share the work), queries their entities,
queues one notification each and schedules the next run. A new periodic subscription is due at
once: its first notification follows its creation.
"""

from datetime import UTC, datetime, timedelta

from auth.principals import Access
from broker.core.db import Database, changed
from broker.entities.query.service import query_entities
from broker.subscriptions import outbox
from broker.subscriptions.compiled import CompiledCache
from broker.subscriptions.matching import (
    MAX_ENTITIES_PER_NOTIFICATION,
    OUTBOX_TABLE,
    outbox_row,
)
from broker.subscriptions.repository import SubscriptionRepository

MAX_ENTITIES_PER_RUN = 1000


async def queue_due(db: Database, cache: CompiledCache, *, limit: int = 50) -> int:
    """Queue the notifications of due periodic subscriptions; returns how many were queued."""
    now = datetime.now(UTC)
    queued = 0
    async with db.transaction(write=False) as session:  # most of the time nothing is due
        if not await outbox.due_periodic(session, now=now, limit=1):
            return 0
    async with db.transaction() as session:
        for subscription in await outbox.due_periodic(session, now=now, limit=limit):
            interval = timedelta(seconds=subscription.time_interval or 1.0)
            following = (subscription.next_run_at or now) + interval
            await outbox.schedule_next(
                session, subscription.tenant_id, subscription.id, max(following, now + interval / 2)
            )
            compiled = await cache.get(
                subscription.tenant_id,
                subscription.id,
                subscription.modified_at,
                subscription.document,
                subscription.context,
                subscription.context_documents,
            )
            if compiled is None:
                continue
            result = await query_entities(
                session,
                Access.system(subscription.tenant_id).restricted_to(
                    frozenset(subscription.entity_types)
                    if subscription.entity_types is not None
                    else None
                ),
                query=compiled.spec.query,
                context=compiled.context,
                representation=compiled.representation,
                limit=MAX_ENTITIES_PER_RUN,
                offset=0,
                count=False,
            )
            data = result.entities
            rows = [
                outbox_row(compiled, data[start : start + MAX_ENTITIES_PER_NOTIFICATION], now)
                for start in range(0, len(data), MAX_ENTITIES_PER_NOTIFICATION)
            ]
            await SubscriptionRepository(session, subscription.tenant_id).enqueue(rows)
            queued += len(rows)
        if queued:
            changed(session, OUTBOX_TABLE)
    return queued
