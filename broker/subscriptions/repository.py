"""The only code that reads and writes subscription rows; every statement is filtered by tenant."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.db import upsert_insert
from broker.subscriptions.models import OutboxRow, Subscription


@dataclass(frozen=True, slots=True)
class Watching:
    id: str
    modified_at: datetime
    document: dict[str, Any]
    context: Any
    entity_types: list[str] | None
    context_documents: dict[str, Any] | None


class SubscriptionRepository:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def insert(self, values: dict[str, Any]) -> bool:
        """Insert a subscription; False if one with that id exists in the tenant."""
        statement = (
            upsert_insert(self.session, Subscription.__table__)
            .values(tenant_id=self.tenant, **values)
            .on_conflict_do_nothing()
            .returning(Subscription.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def get(self, subscription_id: str, *, for_update: bool = False) -> Subscription | None:
        statement = select(Subscription).where(
            Subscription.tenant_id == self.tenant, Subscription.id == subscription_id
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def page(self, *, limit: int, offset: int) -> list[Subscription]:
        statement = (
            select(Subscription)
            .where(Subscription.tenant_id == self.tenant)
            .order_by(Subscription.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(statement)).scalars())

    async def count(self) -> int:
        statement = select(func.count()).where(Subscription.tenant_id == self.tenant)
        return int(await self.session.scalar(statement) or 0)

    async def update(self, subscription_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(Subscription)
            .where(Subscription.tenant_id == self.tenant, Subscription.id == subscription_id)
            .values(**values)
        )

    async def delete(self, subscription_id: str) -> bool:
        """Delete a subscription and the notifications it has not sent yet."""
        await self.session.execute(
            delete(OutboxRow).where(
                OutboxRow.tenant_id == self.tenant, OutboxRow.subscription_id == subscription_id
            )
        )
        result = await self.session.execute(
            delete(Subscription)
            .where(Subscription.tenant_id == self.tenant, Subscription.id == subscription_id)
            .returning(Subscription.id)
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
            Subscription.tenant_id == self.tenant,
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
            Subscription.tenant_id == self.tenant, Subscription.id.in_(list(ids))
        )
        if self.dialect == "postgresql":
            statement = statement.with_for_update()
        due: dict[str, datetime] = {}
        for subscription_id, last in await self.session.execute(statement):
            period = timedelta(seconds=seconds[subscription_id])
            if last is None or now >= last + period:
                due[subscription_id] = now
            else:
                due[subscription_id] = last if last > now else last + period
        for subscription_id, at in due.items():
            await self.session.execute(
                update(Subscription)
                .where(Subscription.tenant_id == self.tenant, Subscription.id == subscription_id)
                .values(last_queued_at=at)
            )
        return due

    async def fold_into_deferred(
        self, subscription_id: str, now: datetime, data: list[Any], *, most: int
    ) -> list[Any]:
        """Fold `data` into the notification that throttling deferred (due after `now`, not
        yet attempted): the latest form of each entity wins. Returns what did not fit."""
        statement = (
            select(OutboxRow.id, OutboxRow.data)
            .where(
                OutboxRow.tenant_id == self.tenant,
                OutboxRow.subscription_id == subscription_id,
                OutboxRow.due_at > now,
                OutboxRow.attempts == 0,
                OutboxRow.claimed_until.is_(None),
            )
            .order_by(OutboxRow.id.desc())
            .limit(1)
        )
        if self.dialect == "postgresql":
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
            update(OutboxRow).where(OutboxRow.id == row_id).values(data=entities[:most])
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
            and_(OutboxRow.tenant_id == self.tenant, OutboxRow.subscription_id == subscription_id)
        )
        return int(await self.session.scalar(statement) or 0)
