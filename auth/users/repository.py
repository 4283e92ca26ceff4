"""SQL for user accounts."""

from collections.abc import Sequence

from sqlalchemy import select

from auth.users.models import User
from broker.core.repository import Repository


class UserRepository(Repository):
    """The users table. Signing in names a user, not a tenant, and a prefecture-wide user
    belongs to every tenant, so no statement filters by tenant: the service decides who may
    see or change a user (a municipal admin only the users of their municipality)."""

    async def get(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def list_all(self) -> Sequence[User]:
        return (await self.session.scalars(select(User).order_by(User.id))).all()

    async def add(self, user: User) -> None:
        self.session.add(user)
        await self.session.flush()

    async def save(self) -> None:
        await self.session.flush()
