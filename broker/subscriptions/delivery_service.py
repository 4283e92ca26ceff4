"""Notification delivery services: what the outbox workers (connectors/notify) call.

A worker claims due notifications across tenants, sends them, and records the outcomes; about
once a second it queues the notifications of periodic (timeInterval) subscriptions. These
services hand it plain frozen data, never ORM rows: `Due` (a row it may claim), `Claimed` (a
notification to send), `Delivery` (the message and its target endpoint), `Outcome` (the result
of one attempt to record). Like every service they never commit: the worker owns its
transactions (see connectors.notify.worker) and the claiming rules are those of
broker.subscriptions.repository.OutboxRepository.

The Notification data type (clause 5.3.1) travels as the bindings say (clause 7.x). HTTP: the
notification is the POST body; with Accept application/ld+json it carries @context, with
application/json the @context is named in a Link header. receiverInfo members become headers,
and a tenant other than the default is named in NGSILD-Tenant. MQTT: the message is
{"metadata": {headers}, "body": notification}. Rows of one subscription that a worker claims
together (a backlog) travel as one notification of at most MAX_ENTITIES_PER_NOTIFICATION
entities.

Context source registration subscriptions (broker/registrations, clause 5.11) share the outbox
and this path: their rows carry a `trigger_reason` (newlyMatching, updated, noLongerMatching),
their data are registrations, and their notification says its triggerReason (clause 5.3.2).

Periodic subscriptions: one transaction takes the due subscriptions (SKIP LOCKED on PostgreSQL,
so replicas share the work), queries their entities, queues one notification each and
schedules the next run. A new periodic subscription is due at once: its first notification
follows its creation.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.db import Database, changed
from broker.core.tenancy import DEFAULT_TENANT
from broker.entities.query.service import query_entities
from broker.entities.render import format_datetime
from broker.jsonld.context import CORE_CONTEXT_URL
from broker.jsonld.negotiation import LD_JSON, link_header
from broker.registrations.repository import CSourceSubscriptionRepository
from broker.subscriptions.compiled import CompiledCache
from broker.subscriptions.matching import MAX_ENTITIES_PER_NOTIFICATION, OUTBOX_TABLE, outbox_row
from broker.subscriptions.repository import OutboxRepository, SubscriptionRepository
from broker.subscriptions.schemas import Endpoint, endpoint_of
from broker.v2.subscriptions.mapping import V2_MEMBER, delivery_body

__all__ = [
    "MAX_ENTITIES_PER_RUN",
    "Claimed",
    "CompiledCache",  # what the app factory hands the worker for periodic runs
    "Delivery",
    "Due",
    "Outcome",
    "claim",
    "delivery",
    "depth",
    "due",
    "grouped",
    "on_queued",
    "periodic_due",
    "queue_periodic",
    "record",
]

MAX_ENTITIES_PER_RUN = 1000  # entities a periodic notification run queries


@dataclass(frozen=True, slots=True)
class Due:
    """An outbox row due to be sent and not claimed; `endpoint` is its lane
    (scheme://host:port), which the worker's per-endpoint limits are keyed by."""

    id: int
    tenant: str
    subscription_id: str
    endpoint: str
    data: list[Any]
    created_at: datetime
    attempts: int
    trigger_reason: str | None = None  # set: a csource subscription's notification


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed outbox row with what sending it needs from its subscription."""

    id: int
    tenant: str
    subscription_id: str
    endpoint: str
    data: list[Any]
    created_at: datetime
    attempts: int
    document: dict[str, Any]
    context: list[Any]
    claimed_until: datetime  # the lease: outcomes are stored only while it is still this one
    trigger_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one delivery attempt."""

    id: int
    tenant: str
    subscription_id: str
    ok: bool
    at: datetime
    attempts: int  # attempts made so far, this one included
    claimed_until: datetime  # the lease the attempt was made under
    trigger_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notification message and the endpoint it goes to."""

    endpoint: Endpoint
    headers: dict[str, str]
    body: dict[str, Any]


# -- claiming and recording ------------------------------------------------------------


async def due(
    session: AsyncSession, *, now: datetime, limit: int, skip: Sequence[str]
) -> list[Due]:
    """Due, unclaimed rows (oldest first) of endpoints not in `skip`; on PostgreSQL they stay
    locked for this transaction, so the worker claims them in it."""
    rows = await OutboxRepository(session).due(now=now, limit=limit, skip=skip)
    return [
        Due(
            id=r.id,
            tenant=r.tenant_id,
            subscription_id=r.subscription_id,
            endpoint=r.endpoint,
            data=r.data,
            created_at=r.created_at,
            attempts=r.attempts,
            trigger_reason=r.trigger_reason,
        )
        for r in rows
    ]


async def claim(
    session: AsyncSession, rows: Sequence[Due], *, now: datetime, lease: float
) -> list[Claimed]:
    """Mark `rows` claimed until now + lease; rows whose subscription is gone are deleted."""
    if not rows:
        return []
    repo = OutboxRepository(session)
    until = now + timedelta(seconds=lease)
    await repo.claim([r.id for r in rows], until=until)
    entity_keys = {(r.tenant, r.subscription_id) for r in rows if r.trigger_reason is None}
    csource_keys = {(r.tenant, r.subscription_id) for r in rows if r.trigger_reason is not None}
    found: dict[bool, dict[tuple[str, str], Any]] = {
        False: await repo.subscriptions(sorted(entity_keys)) if entity_keys else {},
        True: await repo.csource_subscriptions(sorted(csource_keys)),
    }
    orphans = [
        r.id
        for r in rows
        if (r.tenant, r.subscription_id) not in found[r.trigger_reason is not None]
    ]
    if orphans:
        await repo.delete(orphans)
    claimed = []
    for row in rows:
        subscription = found[row.trigger_reason is not None].get((row.tenant, row.subscription_id))
        if subscription is None:
            continue
        claimed.append(
            Claimed(
                id=row.id,
                tenant=row.tenant,
                subscription_id=row.subscription_id,
                endpoint=row.endpoint,
                data=row.data,
                created_at=row.created_at,
                attempts=row.attempts,
                document=subscription.document,
                context=subscription.context,
                claimed_until=until,
                trigger_reason=row.trigger_reason,
            )
        )
    return claimed


async def record(
    session: AsyncSession,
    outcomes: Sequence[Outcome],
    *,
    retry_at: dict[int, datetime | None],
) -> None:
    """Store delivery outcomes: sent rows deleted, failed ones rescheduled (`retry_at` of a row;
    None = give up and delete), and the subscriptions' status counters updated.

    A failure is stored only while the row is still under the lease it was attempted with:
    once the lease lapsed another worker may hold the row, and a late failure must neither
    reschedule nor drop it (that worker's outcome decides)."""
    repo = OutboxRepository(session)
    sent = [o.id for o in outcomes if o.ok]
    if sent:
        await repo.delete(sent)
    for outcome in outcomes:
        if outcome.ok:
            continue
        when = retry_at.get(outcome.id)
        if when is None:
            await repo.drop_held(outcome.id, claimed_until=outcome.claimed_until)
        else:
            await repo.reschedule_held(
                outcome.id,
                claimed_until=outcome.claimed_until,
                attempts=outcome.attempts,
                due_at=when,
            )
    per_subscription: dict[tuple[bool, str, str], list[Outcome]] = defaultdict(list)
    for outcome in sorted(outcomes, key=lambda o: o.at):
        csource = outcome.trigger_reason is not None
        per_subscription[(csource, outcome.tenant, outcome.subscription_id)].append(outcome)
    for (csource, tenant, subscription_id), items in sorted(per_subscription.items()):
        counters = (CSourceSubscriptionRepository if csource else SubscriptionRepository)(
            session, tenant
        )
        await _count(counters, subscription_id, items)


async def _count(
    repo: SubscriptionRepository | CSourceSubscriptionRepository,
    subscription_id: str,
    items: list[Outcome],
) -> None:
    """The status counters of one subscription, from its outcomes in time order."""
    sent = [o for o in items if o.ok]
    failed = [o for o in items if not o.ok]
    trailing = 0
    for outcome in reversed(items):
        if outcome.ok:
            break
        trailing += 1
    await repo.count_deliveries(
        subscription_id,
        sent=len(sent),
        failed=len(failed),
        trailing_failures=trailing,
        last=items[-1].at,
        last_success=sent[-1].at if sent else None,
        last_failure=failed[-1].at if failed else None,
    )


async def depth(session: AsyncSession) -> int:
    """Notifications waiting in the outbox (every tenant)."""
    return await OutboxRepository(session).depth()


def on_queued(db: Database, callback: Callable[[], None]) -> None:
    """Call `callback` after a unit of work of this process queued notifications."""
    db.on_changed(OUTBOX_TABLE, callback)


# -- the notification ------------------------------------------------------------------


def grouped(claimed: Sequence[Claimed]) -> list[list[Claimed]]:
    """Claimed rows by subscription, in claim order, at most MAX_ENTITIES_PER_NOTIFICATION
    entities a group: a backlog of one subscription goes out in few notifications."""
    groups: dict[tuple[str, str, str | None], list[list[Claimed]]] = {}
    for row in claimed:
        key = (row.tenant, row.subscription_id, row.trigger_reason)
        chunks = groups.setdefault(key, [[]])
        if chunks[-1] and sum(len(r.data) for r in chunks[-1]) + len(row.data) > (
            MAX_ENTITIES_PER_NOTIFICATION
        ):
            chunks.append([])
        chunks[-1].append(row)
    return [chunk for chunks in groups.values() for chunk in chunks]


def _context_value(local: list[Any]) -> Any:
    return [*local, CORE_CONTEXT_URL] if local else CORE_CONTEXT_URL


def delivery(rows: Sequence[Claimed], now: datetime) -> Delivery:
    """One notification carrying the entities of outbox rows of one subscription, in order."""
    claimed = rows[0]
    endpoint = endpoint_of(claimed.document)
    kept = claimed.document.get(V2_MEMBER)
    if isinstance(kept, dict):
        return _v2_delivery(rows, endpoint, kept)
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": claimed.subscription_id,
        "notifiedAt": format_datetime(now),
        "data": [entity for row in rows for entity in row.data],
    }
    if claimed.trigger_reason is not None:
        body["triggerReason"] = claimed.trigger_reason
    headers = {"Content-Type": endpoint.accept}
    local = claimed.context or []
    if endpoint.accept == LD_JSON:
        body["@context"] = _context_value(local)
    else:
        url = next((item for item in local if isinstance(item, str)), CORE_CONTEXT_URL)
        headers["Link"] = link_header(url)
    if claimed.tenant != DEFAULT_TENANT:
        headers["NGSILD-Tenant"] = claimed.tenant
    for key, value in endpoint.receiver_info:
        headers[key] = value
    return Delivery(endpoint=endpoint, headers=headers, body=body)


def _v2_delivery(rows: Sequence[Claimed], endpoint: Endpoint, kept: dict[str, Any]) -> Delivery:
    """A subscription made through /v2: Orion's body, the tenant as Fiware-Service."""
    claimed = rows[0]
    entities = [entity for row in rows for entity in row.data]
    headers = {"Content-Type": "application/json"}
    if claimed.tenant != DEFAULT_TENANT:
        headers["Fiware-Service"] = claimed.tenant
    for key, value in endpoint.receiver_info:
        headers[key] = value
    body = delivery_body(claimed.subscription_id, kept, entities)
    return Delivery(endpoint=endpoint, headers=headers, body=body)


# -- periodic subscriptions ------------------------------------------------------------


async def periodic_due(session: AsyncSession, *, now: datetime) -> bool:
    """Whether a periodic subscription is due (a read: most of the time none is)."""
    return bool(await OutboxRepository(session).periodic_due(now=now, limit=1))


async def queue_periodic(
    session: AsyncSession, cache: CompiledCache, *, now: datetime, limit: int = 50
) -> int:
    """Queue the notifications of due periodic subscriptions; returns how many were queued."""
    queued = 0
    for subscription in await OutboxRepository(session).periodic_due(now=now, limit=limit):
        access = Access.system(subscription.tenant_id).restricted_to(
            frozenset(subscription.entity_types) if subscription.entity_types is not None else None
        )
        repo = SubscriptionRepository.of(session, access)
        interval = timedelta(seconds=subscription.time_interval or 1.0)
        following = (subscription.next_run_at or now) + interval
        await repo.schedule_next(subscription.id, max(following, now + interval / 2))
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
            access,
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
        await repo.enqueue(rows)
        queued += len(rows)
    if queued:
        changed(session, OUTBOX_TABLE)
    return queued
