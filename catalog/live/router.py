"""Live downloads of a live resource: its saved broker query's current entities as CSV
(UTF-8, UTF-8 with BOM, Shift_JIS), GeoJSON or JSON, streamed, with ETag and Last-Modified
(304 on If-None-Match / If-Modified-Since). Open to anyone for a public dataset."""

from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from starlette.responses import Response, StreamingResponse

from broker.core.dependencies import DatabaseDep
from broker.core.routing import RenkeiRoute
from catalog.ckan.dependencies import CallerDep, ReadSession
from catalog.live import formats, service
from catalog.live.dependencies import ContextsDep
from catalog.live.service import Validators

router = APIRouter(tags=["catalog (live data)"], route_class=RenkeiRoute)

Format = Literal["csv", "json", "geojson"]
Encoding = Literal["utf-8", "utf-8-bom", "shift_jis"]


def _unchanged(found: Validators, if_none_match: str | None, if_modified_since: str | None) -> bool:
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return found.etag in tags or "*" in tags
    if if_modified_since is None or found.last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return found.last_modified.replace(microsecond=0) <= since


@router.get(
    "/dataset/{dataset_id}/resource/{resource_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {m: {} for m in formats.MEDIA_TYPES.values()}}, 304: {}},
)
async def live_download(
    session: ReadSession,
    caller: CallerDep,
    db: DatabaseDep,
    contexts: ContextsDep,
    dataset_id: str,
    resource_id: str,
    format: Annotated[Format, Query(description="csv, json or geojson")] = "csv",
    encoding: Annotated[
        Encoding, Query(description="of CSV: utf-8, utf-8-bom, shift_jis")
    ] = "utf-8",
    if_none_match: Annotated[str | None, Header()] = None,
    if_modified_since: Annotated[str | None, Header()] = None,
) -> Response:
    """The current entities of a live resource's saved broker query, streamed."""
    live = await service.live_query(
        session, caller, contexts, dataset_id=dataset_id, resource_id=resource_id
    )
    found = await service.validators(db, live, variant=f"{format}/{encoding}")
    headers = {"ETag": found.etag, "Cache-Control": "no-cache"}
    if found.last_modified is not None:
        headers["Last-Modified"] = format_datetime(found.last_modified, usegmt=True)
    if _unchanged(found, if_none_match, if_modified_since):
        return Response(status_code=304, headers=headers)
    media_type = formats.MEDIA_TYPES[format]
    if format == "csv":
        media_type += f"; charset={formats.ENCODINGS[encoding][1]}"
        body = service.stream_csv(db, live, found.columns, encoding=encoding)
        headers["Content-Disposition"] = f'attachment; filename="{resource_id}.csv"'
    else:
        body = service.stream_json(db, live, geojson=format == "geojson")
    return StreamingResponse(body, media_type=media_type, headers=headers)
