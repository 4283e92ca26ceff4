"""SQL for the tenants table (its model is shared plumbing: broker.core.models.Tenant)."""

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.db import changed
from broker.core.models import Tenant


async def get(session: AsyncSession, name: str) -> Tenant | None:
    return await session.get(Tenant, name)


async def list_some(session: AsyncSession, names: Iterable[str] | None) -> Sequence[Tenant]:
    """Every tenant (names None), or those of these names, in name order."""
    statement = select(Tenant).order_by(Tenant.id)
    if names is not None:
        statement = statement.where(Tenant.id.in_(list(names)))
    return (await session.scalars(statement)).all()


async def by_code(session: AsyncSession, code: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.code == code))


async def add(session: AsyncSession, tenant: Tenant) -> None:
    session.add(tenant)
    await save(session)


async def save(session: AsyncSession) -> None:
    """Write pending changes of loaded tenants."""
    await session.flush()
    changed(session, "tenants")


async def missing(session: AsyncSession, names: Iterable[str]) -> set[str]:
    wanted = set(names)
    found = set(await session.scalars(select(Tenant.id).where(Tenant.id.in_(list(wanted)))))
    return wanted - found
