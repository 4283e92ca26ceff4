"""SQL for signing keys."""

from collections.abc import Sequence

from sqlalchemy import select

from auth.keys.models import SigningKey
from broker.core.repository import Repository


class SigningKeyRepository(Repository):
    """The server's signing keys: one key ring for every tenant, so no statement filters by one."""

    async def all_keys(self) -> Sequence[SigningKey]:
        statement = select(SigningKey).order_by(SigningKey.created_at)
        return (await self.session.scalars(statement)).all()

    async def add_key(self, key: SigningKey) -> None:
        self.session.add(key)
        await self.session.flush()
