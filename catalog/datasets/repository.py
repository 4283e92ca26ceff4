"""The only code that reads and writes datasets and resources.

- `CatalogDatasets`: reads of the one catalog every tenant publishes in. Its statements are
  filtered by visibility instead of one tenant: public, active datasets of any tenant, plus the
  private ones of the tenants a `Visibility` names (the service decides which, with auth).
  Lookups by id or name return a dataset whatever its visibility, for the service to decide.
- `DatasetRepository`: the writes of one tenant's datasets and resources.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from broker.core.models import Tenant
from broker.core.repository import Repository, TenantBoundRepository
from catalog.access import Visibility
from catalog.datasets.models import Dataset, Resource


def visible(visibility: Visibility) -> ColumnElement[bool]:
    """Active datasets of active tenants that are public or private to a tenant the
    visibility covers."""
    if visibility.every_tenant:
        private: ColumnElement[bool] = true()
    elif visibility.private_of:
        private = Dataset.tenant_id.in_(sorted(visibility.private_of))
    else:
        private = false()
    inactive = select(Tenant.id).where(Tenant.active.is_(False))
    return and_(
        Dataset.state == "active",
        or_(Dataset.private.is_(False), private),
        Dataset.tenant_id.not_in(inactive),
    )


class CatalogDatasets(Repository):
    async def find(self, id_or_name: str) -> Dataset | None:
        statement = select(Dataset).where(or_(Dataset.id == id_or_name, Dataset.name == id_or_name))
        rows = list((await self.session.execute(statement)).scalars())
        # an id wins over a name (a name may look like another dataset's id)
        return next((row for row in rows if row.id == id_or_name), rows[0] if rows else None)

    async def taken(self, *, name: str | None = None, dataset_id: str | None = None) -> bool:
        """Whether a dataset (of any tenant, in any state) has this name or id."""
        condition = Dataset.name == name if name is not None else Dataset.id == dataset_id
        return bool(await self.session.scalar(select(exists().where(condition))))

    async def resource(self, resource_id: str) -> Resource | None:
        statement = (
            select(Resource)
            .where(Resource.id == resource_id)
            .options(selectinload(Resource.dataset))
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def names(self, visibility: Visibility, *, limit: int | None, offset: int) -> list[str]:
        statement = (
            select(Dataset.name)
            .where(visible(visibility))
            .order_by(Dataset.name)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(statement)).scalars())

    async def page(
        self,
        visibility: Visibility,
        *,
        modified_since: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Dataset], int]:
        """One page of the visible datasets, newest change first (then id, so pages are
        stable), and how many there are in all: what a DCAT harvester pages through."""
        conditions = [visible(visibility)]
        if modified_since is not None:
            conditions.append(Dataset.metadata_modified >= modified_since)
        total = await self.session.scalar(
            select(func.count()).select_from(Dataset).where(*conditions)
        )
        statement = (
            select(Dataset)
            .where(*conditions)
            .order_by(Dataset.metadata_modified.desc(), Dataset.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(statement)).scalars()), int(total or 0)


class DatasetRepository(TenantBoundRepository):
    def _check(self, dataset: Dataset) -> None:
        if dataset.tenant_id != self.tenant:
            raise ValueError(f"dataset {dataset.id} is not of tenant {self.tenant}")

    async def add(self, dataset: Dataset) -> None:
        self._check(dataset)
        for resource in dataset.resources:
            resource.tenant_id = self.tenant
        self.session.add(dataset)
        await self.session.flush()

    async def save(self, dataset: Dataset) -> None:
        """Store the changes made to a dataset of this tenant and to its resources."""
        self._check(dataset)
        for resource in dataset.resources:
            resource.tenant_id = self.tenant
        await self.session.flush()

    async def take_over(self, dataset: Dataset) -> None:
        """Move a dataset of another tenant, with its resources, into this tenant."""
        dataset.tenant_id = self.tenant
        await self.save(dataset)
