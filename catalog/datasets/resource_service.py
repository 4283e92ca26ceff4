"""Resources (distributions): resource_show, resource_create, resource_update, resource_delete.
A resource is seen and changed as its dataset is (catalog.datasets.service); every change
touches the dataset's metadata_modified and its search rows (resource names and formats)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.access import Caller
from catalog.ckan.shapes import resource_dict
from catalog.datasets import building
from catalog.datasets.models import Dataset, Resource
from catalog.datasets.repository import CatalogDatasets, DatasetRepository
from catalog.datasets.service import reindex, required, visible_dataset, writable_dataset
from catalog.errors import NotFound, ValidationFailed
from catalog.files import service as files


async def visible_resource(session: AsyncSession, caller: Caller, resource_id: str) -> Resource:
    """A resource of a dataset the caller may see (else Not Found)."""
    resource = await CatalogDatasets(session).resource(resource_id)
    if resource is None:
        raise NotFound("Not found: Resource was not found.")
    try:
        await visible_dataset(session, caller, resource.dataset_id)
    except NotFound:
        raise NotFound("Not found: Resource was not found.") from None
    return resource


async def _changed(session: AsyncSession, dataset: Dataset, now: datetime) -> None:
    dataset.metadata_modified = now
    await DatasetRepository(session, dataset.tenant_id).save(dataset)
    await reindex(session, dataset)


async def resource_show(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    resource = await visible_resource(session, caller, required(params, "id"))
    return resource_dict(resource, resource.dataset)


def _upload(params: dict[str, Any]) -> tuple[dict[str, Any], files.Upload | None, str]:
    """The params without an uploaded file, the file, and its format (checked by content)."""
    upload = params.get("upload")
    if not isinstance(upload, files.Upload):
        return params, None, ""
    file_format = files.checked_format(upload, str(params.get("format") or ""))
    rest = {key: value for key, value in params.items() if key != "upload"}
    return rest | {"url_type": "upload", "format": file_format}, upload, file_format


async def resource_create(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    dataset = await writable_dataset(session, caller, required(params, "package_id"))
    params, upload, file_format = _upload(params)
    body = building.resource_in(params)
    if body.id and await CatalogDatasets(session).resource(body.id) is not None:
        raise ValidationFailed.of("id", "Resource id already exists")
    now = datetime.now(UTC)
    resource = building.new_resource(
        body, dataset=dataset, position=len(dataset.resources), now=now
    )
    file = files.describe(resource, upload, file_format) if upload else None
    dataset.resources.append(resource)
    await _changed(session, dataset, now)
    if file is not None:
        await files.keep(session, resource, file)
    return resource_dict(resource, dataset)


async def resource_update(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    """Replaces the resource's fields; its id, position and creation time stay."""
    found = await visible_resource(session, caller, required(params, "id"))
    dataset = await writable_dataset(session, caller, found.dataset_id)
    resource = next(r for r in dataset.resources if r.id == found.id)
    now = datetime.now(UTC)
    params, upload, file_format = _upload(params)
    building.set_resource(resource, building.resource_in(params), now=now)
    file = files.describe(resource, upload, file_format) if upload else None
    await _changed(session, dataset, now)
    if file is not None:
        await files.keep(session, resource, file)
    return resource_dict(resource, dataset)


async def resource_delete(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> None:
    found = await visible_resource(session, caller, required(params, "id"))
    dataset = await writable_dataset(session, caller, found.dataset_id)
    dataset.resources = [r for r in dataset.resources if r.id != found.id]
    for position, resource in enumerate(dataset.resources):
        resource.position = position
    await _changed(session, dataset, datetime.now(UTC))
    return None
