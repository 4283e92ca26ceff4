"""Uploaded file resources served back (the URL resource_create gives them), with the
Content-Type their content was recognised as. Open to anyone for a public dataset."""

from fastapi import APIRouter
from starlette.responses import Response

from broker.core.routing import RenkeiRoute
from catalog.ckan.dependencies import CallerDep, ReadSession
from catalog.files import serving

router = APIRouter(tags=["catalog (files)"], route_class=RenkeiRoute)


@router.get(
    "/dataset/{dataset_id}/resource/{resource_id}/download/{filename}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def file_download(
    session: ReadSession, caller: CallerDep, dataset_id: str, resource_id: str, filename: str
) -> Response:
    """The uploaded file of a resource."""
    file = await serving.download(session, caller, dataset_id=dataset_id, resource_id=resource_id)
    headers = {
        "ETag": f'"{file.sha256}"',
        "Content-Disposition": f'attachment; filename="{file.filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(file.content, media_type=file.media_type, headers=headers)
