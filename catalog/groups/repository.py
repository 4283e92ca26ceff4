"""The only code that reads and writes groups (themes shared by the whole catalog)."""

from sqlalchemy import or_, select

from broker.core.repository import Repository
from catalog.groups.models import Group


class GroupRepository(Repository):
    async def all(self) -> list[Group]:
        return list((await self.session.execute(select(Group).order_by(Group.name))).scalars())

    async def get(self, id_or_name: str) -> Group | None:
        statement = select(Group).where(or_(Group.id == id_or_name, Group.name == id_or_name))
        return (await self.session.execute(statement)).scalars().first()

    async def of(self, names_or_ids: list[str]) -> list[Group]:
        if not names_or_ids:
            return []
        wanted = sorted(set(names_or_ids))
        statement = select(Group).where(or_(Group.name.in_(wanted), Group.id.in_(wanted)))
        return list((await self.session.execute(statement)).scalars())

    async def add(self, group: Group) -> None:
        self.session.add(group)
        await self.session.flush()
