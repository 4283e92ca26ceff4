"""SQL for signing keys."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.keys.models import SigningKey


async def all_keys(session: AsyncSession) -> Sequence[SigningKey]:
    return (await session.scalars(select(SigningKey).order_by(SigningKey.created_at))).all()


async def add_key(session: AsyncSession, key: SigningKey) -> None:
    session.add(key)
    await session.flush()
