"""SQL for data sharing grants."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.grants.models import Grant
from broker.core.db import changed


async def active(session: AsyncSession, tenant: str | None = None) -> Sequence[Grant]:
    """Grants not revoked: of one grantor tenant, or of all."""
    statement = select(Grant).where(Grant.revoked_at.is_(None)).order_by(Grant.created_at)
    if tenant is not None:
        statement = statement.where(Grant.tenant_id == tenant)
    return (await session.scalars(statement)).all()


async def get(session: AsyncSession, tenant: str, grant_id: str) -> Grant | None:
    return await session.scalar(
        select(Grant).where(Grant.tenant_id == tenant, Grant.id == grant_id)
    )


async def add(session: AsyncSession, grant: Grant) -> None:
    session.add(grant)
    await session.flush()
    changed(session, "sharing_grants")


async def revoke(session: AsyncSession, tenant: str, grant_id: str, at: datetime) -> None:
    await session.execute(
        update(Grant).where(Grant.tenant_id == tenant, Grant.id == grant_id).values(revoked_at=at)
    )
    changed(session, "sharing_grants")
