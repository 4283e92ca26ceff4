"""SQL for revoked tokens."""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select

from auth.tokens.models import AuthorizationCode, RevokedToken
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


class AuthorizationCodeRepository(Repository):
    """Authorization codes by their hash. A code is a user's, handed to one client, before any
    tenant is chosen, so no statement filters by tenant; expired rows are pruned across all."""

    async def add(self, code: AuthorizationCode) -> None:
        await self.session.execute(
            delete(AuthorizationCode).where(AuthorizationCode.expires_at < datetime.now(UTC))
        )
        self.session.add(code)
        await self.session.flush()

    async def take(self, code_hash: str) -> AuthorizationCode | None:
        """The unexpired code, deleted in the same step: a code is exchanged at most once,
        also when two exchanges race (the second finds the row gone)."""
        row = await self.session.get(AuthorizationCode, code_hash)
        if row is None:
            return None
        result = await self.session.execute(
            delete(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash)
        )
        self.session.expunge(row)
        if getattr(result, "rowcount", 0) != 1 or row.expires_at < datetime.now(UTC):
            return None
        return row
