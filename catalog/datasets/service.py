"""Datasets: package_show, package_list, package_create, package_update, package_patch,
package_delete. The rules: organization = tenant; public, active datasets are readable by
anyone; a private, draft or deleted one only with `catalog:read` in its tenant (to anyone else
it does not exist: Not Found); writes need `catalog:write` in the dataset's tenant (and in the
new one when a dataset moves); names are unique in the whole catalog."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth import scopes
from catalog.access import Caller
from catalog.ckan.shapes import dataset_dict
from catalog.datasets import building
from catalog.datasets.models import Dataset
from catalog.datasets.repository import CatalogDatasets, DatasetRepository
from catalog.datasets.schemas import DatasetIn
from catalog.errors import NotAuthorized, NotFound, ValidationFailed
from catalog.groups.repository import GroupRepository
from catalog.licenses import BY_ID
from catalog.organizations.repository import OrganizationRepository
from catalog.search.query import integer
from catalog.search.repository import SearchIndex


def required(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if value is None or value == "":
        raise ValidationFailed.of(key, "Missing value")
    return str(value)


async def present(session: AsyncSession, datasets: list[Dataset]) -> list[dict[str, Any]]:
    """Datasets in package_show's shape, their organizations and groups read once."""
    orgs = await OrganizationRepository(session).of([d.tenant_id for d in datasets])
    names = [name for dataset in datasets for name in dataset.groups]
    groups = {group.name: group for group in await GroupRepository(session).of(names)}
    return [dataset_dict(dataset, orgs[dataset.tenant_id], groups) for dataset in datasets]


async def visible_dataset(session: AsyncSession, caller: Caller, id_or_name: str) -> Dataset:
    """A dataset the caller may see; a deactivated tenant's are seen by no one."""
    dataset = await CatalogDatasets(session).find(id_or_name)
    tenant = await caller.guard.tenants.get(dataset.tenant_id) if dataset else None
    if (
        dataset is None
        or tenant is None
        or not tenant.active
        or (
            (dataset.private or dataset.state != "active")
            and not await caller.may_read_hidden(dataset.tenant_id)
        )
    ):
        raise NotFound("Not found: Dataset not found")
    return dataset


async def package_show(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    dataset = await visible_dataset(session, caller, required(params, "id"))
    return (await present(session, [dataset]))[0]


async def package_list(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    """The names of the public, active datasets (CKAN lists no private ones here)."""
    limit = integer(params, "limit", -1, minimum=-1) if "limit" in params else None
    return await CatalogDatasets(session).names(
        caller.visibility(include_private=False),
        limit=None if limit is None or limit < 0 else limit,
        offset=integer(params, "offset", 0),
    )


async def _owner(caller: Caller, body: DatasetIn) -> str:
    """The organization (tenant) a new dataset belongs to, and the caller may publish in it."""
    principal = caller.principal
    if principal is None:
        raise NotAuthorized("Access denied: publishing needs an API token")
    owner = body.owner_org
    if not owner:
        own = [tenant for tenant in principal.tenants if tenant != "*"]
        if len(own) != 1 or principal.all_tenants:
            raise ValidationFailed.of("owner_org", "Missing value")
        owner = own[0]
    if await caller.guard.tenants.get(owner) is None:
        raise ValidationFailed.of("owner_org", "Organization does not exist")
    await caller.access(owner, scopes.CATALOG_WRITE)
    return owner


async def _checked_groups(session: AsyncSession, body: DatasetIn) -> list[str]:
    """The names of the dataset's groups (given by name or id), which must exist; its license
    must be one of license_list's."""
    if body.license_id and body.license_id not in BY_ID:
        raise ValidationFailed.of("license_id", f"License not found: {body.license_id}")
    wanted = [ref.name or ref.id or "" for ref in body.groups]
    found = await GroupRepository(session).of([name for name in wanted if name])
    names = {group.name: group.name for group in found} | {group.id: group.name for group in found}
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ValidationFailed.of("groups", f"Group not found: {missing[0]}")
    return list(dict.fromkeys(names[name] for name in wanted))


async def _name_free(session: AsyncSession, name: str) -> None:
    if await CatalogDatasets(session).taken(name=name):
        raise ValidationFailed.of("name", "That URL is already in use.")


async def reindex(session: AsyncSession, dataset: Dataset) -> None:
    await SearchIndex(session, dataset.tenant_id).replace(
        dataset.id, building.index_weights(dataset), building.facet_values(dataset)
    )


async def package_create(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    if caller.anonymous:
        raise NotAuthorized("Access denied: publishing needs an API token")
    body = building.dataset_in(params)
    owner = await _owner(caller, body)
    groups = await _checked_groups(session, body)
    await _name_free(session, body.name)
    if body.id and await CatalogDatasets(session).taken(dataset_id=body.id):
        raise ValidationFailed.of("id", "Dataset id already exists")
    now = datetime.now(UTC)
    dataset = Dataset(
        id=body.id or str(uuid.uuid4()),
        tenant_id=owner,
        creator=caller.user_id,
        metadata_created=now,
    )
    building.apply(dataset, body, groups=groups, now=now)
    dataset.resources = []
    building.replace_resources(dataset, body.resources or [], now=now)
    try:
        await DatasetRepository(session, owner).add(dataset)
    except IntegrityError as exc:  # the same name, created at the same time
        raise ValidationFailed.of("name", "That URL is already in use.") from exc
    await reindex(session, dataset)
    return (await present(session, [dataset]))[0]


async def writable_dataset(session: AsyncSession, caller: Caller, id_or_name: str) -> Dataset:
    """A dataset the caller may change: it must see it, then hold catalog:write in its tenant."""
    if caller.anonymous:
        raise NotAuthorized("Access denied: changing a dataset needs an API token")
    dataset = await visible_dataset(session, caller, id_or_name)
    await caller.access(dataset.tenant_id, scopes.CATALOG_WRITE)
    return dataset


async def _update(session: AsyncSession, caller: Caller, dataset: Dataset, body: DatasetIn) -> Any:
    groups = await _checked_groups(session, body)
    if body.name != dataset.name:
        await _name_free(session, body.name)
    owner = dataset.tenant_id
    if body.owner_org and body.owner_org != owner:
        owner = await _owner(caller, body)
        await SearchIndex(session, dataset.tenant_id).clear(dataset.id)
        await DatasetRepository(session, owner).take_over(dataset)
    now = datetime.now(UTC)
    building.apply(dataset, body, groups=groups, now=now)
    if body.resources is not None:
        building.replace_resources(dataset, body.resources, now=now)
    await DatasetRepository(session, owner).save(dataset)
    await reindex(session, dataset)
    return (await present(session, [dataset]))[0]


async def package_update(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    """Replaces the dataset; resources are kept when the dict has none (as CKAN does)."""
    dataset = await writable_dataset(session, caller, required(params, "id"))
    body = building.dataset_in({**params, "id": dataset.id})
    return await _update(session, caller, dataset, body)


async def package_patch(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    """Changes only the fields given: package_show's dict with the given keys replaced."""
    dataset = await writable_dataset(session, caller, required(params, "id"))
    current = (await present(session, [dataset]))[0]
    if "resources" not in params:
        del current["resources"]  # left as they are
    body = building.dataset_in({**current, **params, "id": dataset.id})
    return await _update(session, caller, dataset, body)


async def package_delete(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> None:
    """Marks the dataset deleted: it leaves search and lists, its name stays taken."""
    dataset = await writable_dataset(session, caller, required(params, "id"))
    dataset.state = "deleted"
    dataset.metadata_modified = datetime.now(UTC)
    await DatasetRepository(session, dataset.tenant_id).save(dataset)
    return None
