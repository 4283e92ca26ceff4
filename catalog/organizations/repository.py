"""The only code that reads organizations: every active tenant is one, shown with its catalog
face (catalog_organizations) when it has one, else with the tenant's own name. A deactivated
tenant's organization is listed nowhere, and its datasets are hidden (catalog.datasets)."""

from datetime import datetime

from sqlalchemy import Select, func, select

from broker.core.models import Tenant
from broker.core.repository import Repository
from catalog.organizations.models import Organization
from catalog.organizations.schemas import OrganizationView

_TITLE = func.coalesce(Organization.title, Tenant.name_ja, Tenant.name_en, Tenant.id)


class OrganizationRepository(Repository):
    def _select(self) -> Select[str, str, str, str, datetime]:
        return select(
            Tenant.id,
            _TITLE,
            func.coalesce(Organization.description, ""),
            func.coalesce(Organization.image_url, ""),
            func.coalesce(Organization.created_at, Tenant.created_at),
        ).outerjoin(Organization, Organization.tenant_id == Tenant.id)

    async def all(self) -> list[OrganizationView]:
        """The organizations of the active tenants."""
        statement = self._select().where(Tenant.active.is_(True)).order_by(Tenant.id)
        rows = await self.session.execute(statement)
        return [
            OrganizationView(name, title, text, image, at) for name, title, text, image, at in rows
        ]

    async def of(self, names: list[str]) -> dict[str, OrganizationView]:
        """The organizations of these tenants, active or not (to show datasets with)."""
        if not names:
            return {}
        rows = await self.session.execute(self._select().where(Tenant.id.in_(sorted(set(names)))))
        views = [
            OrganizationView(name, title, text, image, at) for name, title, text, image, at in rows
        ]
        return {view.name: view for view in views}

    async def get(self, name: str) -> OrganizationView | None:
        """The organization of an active tenant."""
        statement = self._select().where(Tenant.id == name, Tenant.active.is_(True))
        for name_, title, text, image, at in await self.session.execute(statement):
            return OrganizationView(name_, title, text, image, at)
        return None
