"""SQL of the notification outbox as delivery workers use it.

The outbox is shared by every tenant: a worker claims due rows whatever their tenant, and each
row carries its tenant, so every statement on a subscription names (tenant_id, id).

Claiming: rows due and not claimed (or whose claim lapsed: the worker holding them died) are
selected and marked `claimed_until = now + lease` in one short transaction. On PostgreSQL the
select is `FOR UPDATE SKIP LOCKED`, so concurrent workers claim disjoint rows; on SQLite write
transactions are serial (BEGIN IMMEDIATE), which gives the same guarantee.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from broker.subscriptions.models import OutboxRow, Subscription


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


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def candidates(
    session: AsyncSession, *, now: datetime, limit: int, skip: Sequence[str]
) -> list[OutboxRow]:
    """Due, unclaimed rows (oldest first), locked for this transaction on PostgreSQL."""
    statement = (
        select(OutboxRow)
        .where(
            OutboxRow.due_at <= now,
            or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
        )
        .order_by(OutboxRow.due_at, OutboxRow.id)
        .limit(limit)
    )
    if skip:
        statement = statement.where(OutboxRow.endpoint.not_in(list(skip)))
    if _postgres(session):
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.execute(statement)).scalars())


async def claim(
    session: AsyncSession, rows: Sequence[OutboxRow], *, now: datetime, lease: float
) -> list[Claimed]:
    """Mark `rows` claimed until now + lease; rows whose subscription is gone are deleted."""
    if not rows:
        return []
    until = now + timedelta(seconds=lease)
    await session.execute(
        update(OutboxRow).where(OutboxRow.id.in_([r.id for r in rows])).values(claimed_until=until)
    )
    keys = sorted({(r.tenant_id, r.subscription_id) for r in rows})
    found = {
        (s.tenant_id, s.id): s
        for s in (
            await session.execute(
                select(Subscription).where(
                    tuple_(Subscription.tenant_id, Subscription.id).in_(keys)
                )
            )
        ).scalars()
    }
    orphans = [r.id for r in rows if (r.tenant_id, r.subscription_id) not in found]
    if orphans:
        await session.execute(delete(OutboxRow).where(OutboxRow.id.in_(orphans)))
    claimed = []
    for row in rows:
        subscription = found.get((row.tenant_id, row.subscription_id))
        if subscription is None:
            continue
        claimed.append(
            Claimed(
                id=row.id,
                tenant=row.tenant_id,
                subscription_id=row.subscription_id,
                endpoint=row.endpoint,
                data=row.data,
                created_at=row.created_at,
                attempts=row.attempts,
                document=subscription.document,
                context=subscription.context,
                claimed_until=until,
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
    sent = [o.id for o in outcomes if o.ok]
    if sent:
        await session.execute(delete(OutboxRow).where(OutboxRow.id.in_(sent)))
    for outcome in outcomes:
        if outcome.ok:
            continue
        ours = (OutboxRow.id == outcome.id, OutboxRow.claimed_until == outcome.claimed_until)
        when = retry_at.get(outcome.id)
        if when is None:
            await session.execute(delete(OutboxRow).where(*ours))
        else:
            await session.execute(
                update(OutboxRow)
                .where(*ours)
                .values(attempts=outcome.attempts, due_at=when, claimed_until=None)
            )
    per_subscription: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in sorted(outcomes, key=lambda o: o.at):
        per_subscription[(outcome.tenant, outcome.subscription_id)].append(outcome)
    for (tenant, subscription_id), items in sorted(per_subscription.items()):
        await session.execute(
            update(Subscription)
            .where(Subscription.tenant_id == tenant, Subscription.id == subscription_id)
            .values(**_status_values(items))
        )


def _status_values(items: list[Outcome]) -> dict[str, Any]:
    sent = [o for o in items if o.ok]
    failed = [o for o in items if not o.ok]
    trailing = 0
    for outcome in reversed(items):
        if outcome.ok:
            break
        trailing += 1
    values: dict[str, Any] = {
        "times_sent": Subscription.times_sent + len(sent),
        "times_failed": Subscription.times_failed + len(failed),
        "last_notification": items[-1].at,
        "consecutive_failures": (
            trailing if sent else Subscription.consecutive_failures + trailing
        ),
    }
    if sent:
        values["last_success"] = sent[-1].at
    if failed:
        values["last_failure"] = failed[-1].at
    return values


async def depth(session: AsyncSession) -> int:
    """Notifications waiting in the outbox (every tenant)."""
    return int(await session.scalar(select(func.count()).select_from(OutboxRow)) or 0)


async def due_periodic(session: AsyncSession, *, now: datetime, limit: int) -> list[Subscription]:
    """Active periodic subscriptions whose next notification is due, locked on PostgreSQL."""
    statement = (
        select(Subscription)
        .where(
            Subscription.next_run_at.is_not(None),
            Subscription.next_run_at <= now,
            Subscription.is_active.is_(True),
            or_(Subscription.expires_at.is_(None), Subscription.expires_at > now),
        )
        .order_by(Subscription.next_run_at)
        .limit(limit)
    )
    if _postgres(session):
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.execute(statement)).scalars())


async def schedule_next(
    session: AsyncSession, tenant: str, subscription_id: str, when: datetime
) -> None:
    await session.execute(
        update(Subscription)
        .where(and_(Subscription.tenant_id == tenant, Subscription.id == subscription_id))
        .values(next_run_at=when)
    )
