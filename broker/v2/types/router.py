"""/v2/types (Orion's API): parsing and dependencies only."""

from fastapi import APIRouter
from starlette.responses import Response

from broker.core.dependencies import SettingsDep
from broker.v2.dependencies import ReadRequest
from broker.v2.errors import V2Route
from broker.v2.schemas import Options, PageDep, counted, json_response
from broker.v2.types import service

router = APIRouter(prefix="/v2/types", tags=["ngsi-v2"], route_class=V2Route)


@router.get("", operation_id="v2ListEntityTypes")
async def list_types(
    r: ReadRequest, settings: SettingsDep, opts: Options, paging: PageDep
) -> Response:
    """List Entity Types (GET /v2/types, options=count, values)."""
    found = await service.listed(r, page_size=settings.query_max_limit)
    page = found[paging.offset : paging.offset + paging.limit]
    body = [t["type"] for t in page] if "values" in opts else page
    return counted(body, len(found) if "count" in opts else None)


@router.get("/{entity_type}", operation_id="v2RetrieveEntityType")
async def retrieve_type(r: ReadRequest, settings: SettingsDep, entity_type: str) -> Response:
    """Retrieve entity type (GET /v2/types/{type})."""
    return json_response(await service.retrieve(r, entity_type, page_size=settings.query_max_limit))
