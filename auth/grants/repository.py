"""SQL for data sharing grants.

A grant is a row of its grantor tenant. `GrantRepository` is bound to that tenant
(broker.core.repository.TenantBoundRepository): every statement it runs carries the base's tenant
filter. `CrossTenantGrantRepository` is the one read across tenants: the auth directory's
snapshot, which every request's authorization consults, holds the active grants of all tenants.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from auth.grants.models import Grant
from broker.core.db import changed
from broker.core.repository import Repository, TenantBoundRepository

_ACTIVE = Grant.revoked_at.is_(None)


class GrantRepository(TenantBoundRepository):
    """The grants one tenant gave (made as `GrantRepository(session, grantor)`)."""

    async def active(self) -> Sequence[Grant]:
        """This tenant's grants not revoked, oldest first."""
        statement = select(Grant).where(self.owns(Grant), _ACTIVE).order_by(Grant.created_at)
        return (await self.session.scalars(statement)).all()

    async def get(self, grant_id: str) -> Grant | None:
        return await self.session.scalar(
            select(Grant).where(self.owns(Grant), Grant.id == grant_id)
        )

    async def add(self, grant: Grant) -> None:
        """Add a grant this tenant gives (its `tenant_id` is the bound tenant)."""
        self.session.add(grant)
        await self.session.flush()
        changed(self.session, "sharing_grants")

    async def revoke(self, grant_id: str, at: datetime) -> None:
        await self.session.execute(
            update(Grant).where(self.owns(Grant), Grant.id == grant_id).values(revoked_at=at)
        )
        changed(self.session, "sharing_grants")


class CrossTenantGrantRepository(Repository):
    """Grants of every tenant, read across tenants: only the auth directory's snapshot uses it."""

    async def active(self) -> Sequence[Grant]:
        """Every tenant's grants not revoked, oldest first."""
        statement = select(Grant).where(_ACTIVE).order_by(Grant.created_at)
        return (await self.session.scalars(statement)).all()
