"""The `tenants` rows broker's core reads: which tenants exist, and the implicit creation of one
(auth disabled). Administration of tenants is auth's (auth/tenants/)."""

from datetime import UTC, datetime

from sqlalchemy import select

from broker.core.db import upsert_insert
from broker.core.models import Tenant
from broker.core.repository import Repository


class TenantStateRepository(Repository):
    async def states(self) -> list[tuple[str, str, bool, float | None]]:
        """(name, kind, active, rate limit) of every tenant."""
        statement = select(Tenant.id, Tenant.kind, Tenant.active, Tenant.rate_limit)
        return [
            (name, kind, active, limit)
            for name, kind, active, limit in await self.session.execute(statement)
        ]

    async def create_if_missing(self, name: str) -> None:
        await self.session.execute(
            upsert_insert(self.session, Tenant.__table__)
            .values(id=name, created_at=datetime.now(UTC), kind="municipality", active=True)
            .on_conflict_do_nothing()
        )
