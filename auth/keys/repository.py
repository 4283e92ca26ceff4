"""SQL for signing keys."""

from collections.abc import Sequence

from sqlalchemy import func, select

from auth.keys.models import SigningKey
from broker.core.repository import Repository

ROTATION_LOCK = 0x52454E4B  # "RENK": the advisory lock id of key rotation


class SigningKeyRepository(Repository):
    """The server's signing keys: one key ring for every tenant, so no statement filters by one."""

    async def lock_rotation(self) -> None:
        """Hold, until the transaction ends, the right to decide whether a new key is due, so
        processes starting together (workers, replicas) make one key, not one each. SQLite
        serializes its writers already."""
        if self.postgres:
            await self.session.execute(select(func.pg_advisory_xact_lock(ROTATION_LOCK)))

    async def all_keys(self) -> Sequence[SigningKey]:
        statement = select(SigningKey).order_by(SigningKey.created_at)
        return (await self.session.scalars(statement)).all()

    async def add_key(self, key: SigningKey) -> None:
        self.session.add(key)
        await self.session.flush()
