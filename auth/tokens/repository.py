"""SQL for revoked tokens."""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.tokens.models import RevokedToken
from broker.core.db import changed, upsert_insert


async def revoke(session: AsyncSession, rows: Iterable[dict[str, object]]) -> None:
    values = list(rows)
    if values:
        await session.execute(
            upsert_insert(session, RevokedToken.__table__).on_conflict_do_nothing(), values
        )
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(UTC)))
    changed(session, "revoked_tokens")


async def unexpired(session: AsyncSession) -> set[str]:
    statement = select(RevokedToken.jti).where(RevokedToken.expires_at >= datetime.now(UTC))
    return set(await session.scalars(statement))
