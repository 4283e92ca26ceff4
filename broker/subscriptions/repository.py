"""The only code that reads and writes subscription rows; every statement is filtered by tenant."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
        ).where(
            Subscription.tenant_id == self.tenant,
            Subscription.is_active.is_(True),
            Subscription.time_interval.is_(None),
            or_(Subscription.expires_at.is_(None), Subscription.expires_at > now),
        )
        return [Watching(*row) for row in await self.session.execute(statement)]

    async def throttle(
        self, ids: Sequence[str], now: datetime, seconds: dict[str, float]
    ) -> set[str]:
        """Of throttled subscriptions `ids`, those that may notify now; marks them queued."""
        if not ids:
            return set()
        statement = select(Subscription.id, Subscription.last_queued_at).where(
            Subscription.tenant_id == self.tenant, Subscription.id.in_(list(ids))
        )
        if self.dialect == "postgresql":
            statement = statement.with_for_update()
        allowed = set()
        for subscription_id, last in await self.session.execute(statement):
            if last is None or (now - last).total_seconds() >= seconds[subscription_id]:
                allowed.add(subscription_id)
        if allowed:
            await self.session.execute(
                update(Subscription)
                .where(Subscription.tenant_id == self.tenant, Subscription.id.in_(allowed))
                .values(last_queued_at=now)
            )
        return allowed

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
