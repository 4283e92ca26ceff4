"""Serving an uploaded file back: the bytes of a resource the caller may see."""

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.access import Caller
from catalog.datasets.resource_service import visible_resource
from catalog.errors import NotFound
from catalog.files.models import ResourceFile
from catalog.files.repository import FileRepository


async def download(
    session: AsyncSession, caller: Caller, *, dataset_id: str, resource_id: str
) -> ResourceFile:
    """The file of a resource the caller may see (as its dataset)."""
    resource = await visible_resource(session, caller, resource_id)
    if dataset_id not in (resource.dataset.id, resource.dataset.name):
        raise NotFound("Not found: Resource was not found.")
    file = await FileRepository(session, resource.tenant_id).get(resource.id)
    if file is None:
        raise NotFound("Not found: Resource has no uploaded file")
    return file
