"""SQL for revoked tokens."""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select

from auth.tokens.models import RevokedToken
from broker.core.db import changed, upsert_insert
from broker.core.repository import Repository


class RevokedTokenRepository(Repository):
    """Revoked access tokens by their id (jti). A token is a client's, and a client may act in
    several tenants, so no statement filters by tenant; expired rows are pruned across all."""

    async def revoke(self, rows: Iterable[dict[str, object]]) -> None:
        values = list(rows)
        if values:
            await self.session.execute(
                upsert_insert(self.session, RevokedToken.__table__).on_conflict_do_nothing(),
                values,
            )
        await self.session.execute(
            delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(UTC))
        )
        changed(self.session, "revoked_tokens")

    async def unexpired(self) -> set[str]:
        statement = select(RevokedToken.jti).where(RevokedToken.expires_at >= datetime.now(UTC))
        return set(await self.session.scalars(statement))
