"""SQL for OAuth2 clients."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.clients.models import Client
from broker.core.db import changed


async def get(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def list_all(session: AsyncSession) -> Sequence[Client]:
    return (await session.scalars(select(Client).order_by(Client.id))).all()


async def add(session: AsyncSession, client: Client) -> None:
    session.add(client)
    await save(session)


async def save(session: AsyncSession) -> None:
    """Write pending changes of loaded clients."""
    await session.flush()
    changed(session, "oauth_clients")


async def any_with_all_tenants(session: AsyncSession) -> bool:
    """Whether an active client may act in every tenant (the bootstrap admin exists)."""
    for tenants in await session.scalars(select(Client.tenants).where(Client.active)):
        if "*" in tenants:
            return True
    return False


async def revoke(session: AsyncSession, client_id: str, at: datetime) -> None:
    await session.execute(
        update(Client).where(Client.id == client_id).values(active=False, revoked_at=at)
    )
    changed(session, "oauth_clients")
