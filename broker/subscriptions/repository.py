"""The only code that reads and writes subscription and outbox rows.

- `SubscriptionRepository`: the subscriptions of one tenant and their outbox rows; every
  statement carries the tenant filter of its base (`TenantBoundRepository.owns`).
- `OutboxRepository`: the outbox as delivery workers use it, across tenants. A worker claims
  due rows whatever their tenant; each row carries its tenant, and what a worker then does to
  one subscription (its status counters, its next periodic run) goes through that tenant's
  `SubscriptionRepository`.

Claiming: rows due and not claimed (or whose claim lapsed: the worker holding them died) are
selected and marked `claimed_until = now + lease` in one short transaction. On PostgreSQL the
select is `FOR UPDATE SKIP LOCKED`, so concurrent workers claim disjoint rows; on SQLite write
transactions are serial (BEGIN IMMEDIATE), which gives the same guarantee.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import delete, func, insert, or_, select, tuple_, update
from sqlalchemy.orm import Mapped

from broker.core.db import upsert_insert
from broker.core.repository import Repository, TenantBoundRepository
from broker.registrations.models import CSourceSubscription
from broker.subscriptions.models import OutboxRow, Subscription

# The outbox rows of entity subscriptions (the others belong to csource subscriptions).
_ENTITY_ROWS = OutboxRow.trigger_reason.is_(None)


@dataclass(frozen=True, slots=True)
class Watching:
    id: str
    modified_at: datetime
    document: dict[str, Any]
    context: Any
    entity_types: list[str] | None
    context_documents: dict[str, Any] | None


def delivery_counters(
    model: Any,
    *,
    sent: int,
    failed: int,
    trailing_failures: int,
    last: datetime,
    last_success: datetime | None,
    last_failure: datetime | None,
) -> dict[str, Any]:
    """The status counter values after delivery attempts, for a model with the status columns
    of a subscription (entity subscriptions, csource subscriptions)."""
    values: dict[str, Any] = {
        "times_sent": model.times_sent + sent,
        "times_failed": model.times_failed + failed,
        "last_notification": last,
        "consecutive_failures": (
            trailing_failures if sent else model.consecutive_failures + trailing_failures
        ),
    }
    if last_success is not None:
        values["last_success"] = last_success
    if last_failure is not None:
        values["last_failure"] = last_failure
    return values


class _Subscribed(Protocol):
    """A subscription model: NGSI-LD entity subscriptions, or context source ones."""

    __table__: ClassVar[Any]
    id: Mapped[str]


S = TypeVar("S", bound=_Subscribed)


class SubscriptionRows(TenantBoundRepository, Generic[S]):
    """The rows of one tenant's subscriptions of one kind (`model`): entity subscriptions
    here, context source subscriptions in broker/registrations."""

    model: type[S]

    def _this(self, subscription_id: str) -> tuple[Any, ...]:
        return (self.owns(self.model), self.model.id == subscription_id)

    async def insert(self, values: dict[str, Any]) -> bool:
        """Insert a subscription; False if one with that id exists in the tenant."""
        statement = (
            upsert_insert(self.session, self.model.__table__)
            .values(tenant_id=self.tenant, **values)
            .on_conflict_do_nothing()
            .returning(self.model.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def get(self, subscription_id: str, *, for_update: bool = False) -> S | None:
        statement = select(self.model).where(*self._this(subscription_id))
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def page(self, *, limit: int, offset: int) -> list[S]:
        statement = (
            select(self.model)
            .where(self.owns(self.model))
            .order_by(self.model.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(statement)).scalars())

    async def count(self) -> int:
        statement = select(func.count()).where(self.owns(self.model))
        return int(await self.session.scalar(statement) or 0)

    async def update(self, subscription_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(self.model).where(*self._this(subscription_id)).values(**values)
        )


class SubscriptionRepository(SubscriptionRows[Subscription]):
    model = Subscription

    async def delete(self, subscription_id: str) -> bool:
        """Delete a subscription and the notifications it has not sent yet."""
        await self.session.execute(
            delete(OutboxRow).where(
                self.owns(OutboxRow), OutboxRow.subscription_id == subscription_id, _ENTITY_ROWS
            )
        )
        result = await self.session.execute(
            delete(Subscription).where(*self._this(subscription_id)).returning(Subscription.id)
        )
        return result.scalar_one_or_none() is not None

    async def watching(self, now: datetime) -> list[Watching]:
        """The tenant's active change subscriptions."""
        statement = select(
            Subscription.id,
            Subscription.modified_at,
            Subscription.document,
            Subscription.context,
            Subscription.entity_types,
            Subscription.context_documents,
        ).where(
            self.owns(Subscription),
            Subscription.is_active.is_(True),
            Subscription.time_interval.is_(None),
            or_(Subscription.expires_at.is_(None), Subscription.expires_at > now),
        )
        return [Watching(*row) for row in await self.session.execute(statement)]

    async def throttle(
        self, ids: Sequence[str], now: datetime, seconds: dict[str, float]
    ) -> dict[str, datetime]:
        """When the next notification of each throttled subscription `ids` is due: now, once
        its period has passed since the last one; else at the end of the period (a notification
        deferred there already, or a new one). Marks each as queued at that moment."""
        if not ids:
            return {}
        statement = select(Subscription.id, Subscription.last_queued_at).where(
            self.owns(Subscription), Subscription.id.in_(list(ids))
        )
        if self.postgres:
            statement = statement.with_for_update()
        due: dict[str, datetime] = {}
        for subscription_id, last in await self.session.execute(statement):
            period = timedelta(seconds=seconds[subscription_id])
            if last is None or now >= last + period:
                due[subscription_id] = now
            else:
                due[subscription_id] = last if last > now else last + period
        for subscription_id, at in due.items():
            await self.update(subscription_id, {"last_queued_at": at})
        return due

    async def fold_into_deferred(
        self, subscription_id: str, now: datetime, data: list[Any], *, most: int
    ) -> list[Any]:
        """Fold `data` into the notification that throttling deferred (due after `now`, not
        yet attempted): the latest form of each entity wins. Returns what did not fit."""
        statement = (
            select(OutboxRow.id, OutboxRow.data)
            .where(
                self.owns(OutboxRow),
                OutboxRow.subscription_id == subscription_id,
                OutboxRow.due_at > now,
                OutboxRow.attempts == 0,
                OutboxRow.claimed_until.is_(None),
                _ENTITY_ROWS,
            )
            .order_by(OutboxRow.id.desc())
            .limit(1)
        )
        if self.postgres:
            statement = statement.with_for_update()
        found = (await self.session.execute(statement)).first()
        if found is None:
            return data
        row_id, waiting = found
        merged = {entity["id"]: entity for entity in waiting}
        for entity in data:
            merged.pop(entity["id"], None)
            merged[entity["id"]] = entity
        entities = list(merged.values())
        await self.session.execute(
            update(OutboxRow)
            .where(self.owns(OutboxRow), OutboxRow.id == row_id)
            .values(data=entities[:most])
        )
        return entities[most:]

    async def enqueue(self, rows: list[dict[str, Any]]) -> None:
        """Add notifications to the outbox, in this transaction."""
        if rows:
            await self.session.execute(
                insert(OutboxRow), [{"tenant_id": self.tenant, **row} for row in rows]
            )

    async def pending(self, subscription_id: str) -> int:
        statement = select(func.count()).where(
            self.owns(OutboxRow), OutboxRow.subscription_id == subscription_id, _ENTITY_ROWS
        )
        return int(await self.session.scalar(statement) or 0)

    async def schedule_next(self, subscription_id: str, when: datetime) -> None:
        """When the periodic subscription notifies next."""
        await self.update(subscription_id, {"next_run_at": when})

    async def count_deliveries(
        self,
        subscription_id: str,
        *,
        sent: int,
        failed: int,
        trailing_failures: int,
        last: datetime,
        last_success: datetime | None,
        last_failure: datetime | None,
    ) -> None:
        """Add delivery attempts to the status counters; `trailing_failures` are the failures
        after the last success among them (all of them when none succeeded)."""
        values = delivery_counters(
            Subscription,
            sent=sent,
            failed=failed,
            trailing_failures=trailing_failures,
            last=last,
            last_success=last_success,
            last_failure=last_failure,
        )
        await self.update(subscription_id, values)


class OutboxRepository(Repository):
    """The outbox across tenants, for delivery workers: every statement names rows by their
    id (or a subscription by (tenant_id, id)), never by a tenant the caller chose."""

    def _locked(self, statement: Any) -> Any:
        return statement.with_for_update(skip_locked=True) if self.postgres else statement

    async def due(self, *, now: datetime, limit: int, skip: Sequence[str]) -> list[OutboxRow]:
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
        return list((await self.session.execute(self._locked(statement))).scalars())

    async def claim(self, ids: Sequence[int], *, until: datetime) -> None:
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.id.in_(list(ids))).values(claimed_until=until)
        )

    async def subscriptions(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], Subscription]:
        """The subscriptions (tenant_id, id) of `keys` that exist."""
        statement = select(Subscription).where(
            tuple_(Subscription.tenant_id, Subscription.id).in_(sorted(keys))
        )
        rows = (await self.session.execute(statement)).scalars()
        return {(s.tenant_id, s.id): s for s in rows}

    async def csource_subscriptions(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], CSourceSubscription]:
        """The context source registration subscriptions (tenant_id, id) of `keys` that exist."""
        if not keys:
            return {}
        statement = select(CSourceSubscription).where(
            tuple_(CSourceSubscription.tenant_id, CSourceSubscription.id).in_(sorted(keys))
        )
        rows = (await self.session.execute(statement)).scalars()
        return {(s.tenant_id, s.id): s for s in rows}

    async def delete(self, ids: Sequence[int]) -> None:
        await self.session.execute(delete(OutboxRow).where(OutboxRow.id.in_(list(ids))))

    async def drop_held(self, row_id: int, *, claimed_until: datetime) -> None:
        """Delete a row if it is still under that lease."""
        await self.session.execute(
            delete(OutboxRow).where(
                OutboxRow.id == row_id, OutboxRow.claimed_until == claimed_until
            )
        )

    async def reschedule_held(
        self, row_id: int, *, claimed_until: datetime, attempts: int, due_at: datetime
    ) -> None:
        """Release a row still under that lease, due again at `due_at`."""
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.claimed_until == claimed_until)
            .values(attempts=attempts, due_at=due_at, claimed_until=None)
        )

    async def depth(self) -> int:
        """Notifications waiting in the outbox (every tenant)."""
        return int(await self.session.scalar(select(func.count()).select_from(OutboxRow)) or 0)

    async def periodic_due(self, *, now: datetime, limit: int) -> list[Subscription]:
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
        return list((await self.session.execute(self._locked(statement))).scalars())
