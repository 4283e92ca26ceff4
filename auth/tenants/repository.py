"""SQL for the tenants table (its model is shared plumbing: broker.core.models.Tenant)."""

from collections.abc import Iterable, Sequence

from sqlalchemy import select

from broker.core.db import changed
from broker.core.models import Tenant
from broker.core.repository import Repository


class TenantRepository(Repository):
    """The tenants table: a tenant's row is of no tenant, so no statement filters by one;
    services decide which tenants a principal may read (`list_some` takes their names)."""

    async def get(self, name: str) -> Tenant | None:
        return await self.session.get(Tenant, name)

    async def list_some(self, names: Iterable[str] | None) -> Sequence[Tenant]:
        """Every tenant (names None), or those of these names, in name order."""
        statement = select(Tenant).order_by(Tenant.id)
        if names is not None:
            statement = statement.where(Tenant.id.in_(list(names)))
        return (await self.session.scalars(statement)).all()

    async def by_code(self, code: str) -> Tenant | None:
        return await self.session.scalar(select(Tenant).where(Tenant.code == code))

    async def add(self, tenant: Tenant) -> None:
        self.session.add(tenant)
        await self.save()

    async def save(self) -> None:
        """Write pending changes of loaded tenants."""
        await self.session.flush()
        changed(self.session, "tenants")

    async def missing(self, names: Iterable[str]) -> set[str]:
        wanted = set(names)
        statement = select(Tenant.id).where(Tenant.id.in_(list(wanted)))
        return wanted - set(await self.session.scalars(statement))
