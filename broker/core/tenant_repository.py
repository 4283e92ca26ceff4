"""The `tenants` rows broker's core reads: which tenants exist, and the implicit creation of one
(auth disabled). Administration of tenants is auth's (auth/tenants/)."""

from datetime import UTC, datetime

from sqlalchemy import select

from broker.core.db import upsert_insert
from broker.core.models import Tenant
from broker.core.repository import Repository


class TenantStateRepository(Repository):
    async def states(self) -> list[tuple[str, str, bool]]:
        """(name, kind, active) of every tenant."""
        rows = await self.session.execute(select(Tenant.id, Tenant.kind, Tenant.active))
        return [(name, kind, active) for name, kind, active in rows]

    async def create_if_missing(self, name: str) -> None:
        await self.session.execute(
            upsert_insert(self.session, Tenant.__table__)
            .values(id=name, created_at=datetime.now(UTC), kind="municipality", active=True)
            .on_conflict_do_nothing()
        )
