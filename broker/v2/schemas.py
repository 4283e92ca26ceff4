"""Request parsing shared by the v2 routes: the JSON body, options, the output forms."""

from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request
from starlette.responses import Response

from broker.core.dependencies import SettingsDep
from broker.core.errors import BadRequestData, UnsupportedMediaType
from broker.entities.dependencies import split_list
from broker.jsonld.dependencies import read_json
from broker.v2 import mapping

JSON = "application/json"
TOTAL_COUNT = "Fiware-Total-Count"
DEFAULT_LIMIT = 20  # Orion's
OPTIONS = {"normalized", "keyValues", "values", "unique", "count", "append", "upsert"}


async def v2_body(request: Request) -> Any:
    """The JSON body; Orion takes only application/json (415 otherwise)."""
    if not request.headers.get("content-type", "").startswith(JSON):
        given = request.headers.get("content-type", "")
        raise UnsupportedMediaType(f"not supported content type: {given}")
    return await read_json(request)


async def value_body(request: Request) -> Any:
    """The body of PUT .../value: JSON, or text/plain (a JSON scalar, else a bare string)."""
    if request.headers.get("content-type", "").startswith(JSON):
        return await read_json(request)
    raw = (await request.body()).decode()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw


def options(
    options: Annotated[
        str | None, Query(description="keyValues, values, unique, count, append, upsert")
    ] = None,
) -> set[str]:
    chosen = set(split_list(options, "options"))
    unknown = chosen - OPTIONS
    if unknown:
        raise BadRequestData(f"Invalid value for URI param /options/: {sorted(unknown)[0]}")
    if len(chosen & {"keyValues", "values", "unique"}) > 1 and "unique" not in chosen:
        raise BadRequestData("keyValues and values cannot be used together")
    return chosen


V2Body = Annotated[Any, Depends(v2_body)]
ValueBody = Annotated[Any, Depends(value_body)]
Options = Annotated[set[str], Depends(options)]
EntityType = Annotated[str | None, Query(alias="type", description="the entity's type")]
Attrs = Annotated[str | None, Query(description="attributes to return, comma-separated")]
Metadata = Annotated[str | None, Query(description="metadata to return, comma-separated")]


def shaped(entity: dict[str, Any], opts: set[str], attrs: str | None, metadata: str | None) -> Any:
    """A v2 entity in the form the options ask (normalized, keyValues, values)."""
    names = split_list(attrs, "attrs")
    if names and "*" not in names:
        entity = {k: v for k, v in entity.items() if k in ("id", "type") or k in names}
    keep = split_list(metadata, "metadata")
    if keep:
        entity = {
            k: v if k in ("id", "type") else mapping.strip_metadata(v, keep)
            for k, v in entity.items()
        }
    if "values" in opts or "unique" in opts:
        return mapping.values(entity, names)
    if "keyValues" in opts:
        return mapping.key_values(entity)
    return entity


def unique(items: list[Any]) -> list[Any]:
    """options=unique: each values row once, first occurrence kept."""
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON, headers=headers)


@dataclass(frozen=True, slots=True)
class V2Page:
    limit: int
    offset: int


def v2_page(
    settings: SettingsDep,
    limit: Annotated[int | None, Query(description="page size (default 20)")] = None,
    offset: Annotated[int, Query(description="items to skip")] = 0,
) -> V2Page:
    """Orion's paging: limit 1 to the broker's maximum page size, default 20."""
    chosen = DEFAULT_LIMIT if limit is None else limit
    if chosen < 1 or chosen > settings.query_max_limit or offset < 0:
        raise BadRequestData(f"Bad pagination: limit 1 to {settings.query_max_limit}")
    return V2Page(chosen, offset)


PageDep = Annotated[V2Page, Depends(v2_page)]


def counted(body: Any, total: int | None) -> Response:
    """A list answer, with Fiware-Total-Count when options=count asked for it."""
    return json_response(body, headers={TOTAL_COUNT: str(total)} if total is not None else None)
