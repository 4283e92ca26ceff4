"""Batch entity operations (clause 6.14 to 6.18, and merge): POST /entityOperations/..."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import SettingsDep
from broker.core.routing import RenkeiRoute
from broker.core.settings import BrokerSettings
from broker.entities.batch import service
from broker.entities.batch.service import BatchResult, check_batch
from broker.entities.dependencies import EntitiesCreate, EntitiesWrite, check_options
from broker.jsonld.context import Context
from broker.jsonld.dependencies import LdBody, LdInput, resolve
from broker.jsonld.negotiation import JSON, LD_JSON, media_type

router = APIRouter(prefix="/entityOperations", tags=["batch"], route_class=RenkeiRoute)

_ARRAY = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {JSON: {"schema": _ARRAY}, LD_JSON: {"schema": _ARRAY}},
    }
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    207: {"description": "BatchOperationResult: some entities failed"},
    400: {"description": "BadRequestData (application/problem+json)"},
}


async def _contexts(request: Request, body: LdInput, items: list[Any]) -> list[Context]:
    """Each entity's @context: inline per entity for JSON-LD, else the request's one."""
    if media_type(request.headers.get("content-type")) != LD_JSON:
        return [body.context] * len(items)
    return [
        await resolve(request, item.get("@context")) if isinstance(item, dict) else body.context
        for item in items
    ]


async def _items(
    request: Request, body: LdInput, settings: BrokerSettings
) -> tuple[list[Any], list[Context]]:
    items = check_batch(body.data, settings.batch_max_entities)
    return items, await _contexts(request, body, items)


def _response(result: BatchResult, *, created_status: bool = False) -> Response:
    if result.errors:
        return Response(orjson.dumps(result.body()), status_code=207, media_type=JSON)
    if created_status and result.created:
        return Response(orjson.dumps(result.created), status_code=201, media_type=JSON)
    return Response(status_code=204)


@router.post(
    "/create",
    operation_id="batchCreate",
    openapi_extra=_BODY,
    responses=_RESPONSES,
    status_code=201,
)
async def batch_create(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    access: EntitiesCreate,
    body: LdBody,
) -> Response:
    """6.14.3.1 Batch Entity Creation."""
    items, contexts = await _items(request, body, settings)
    result = await service.create(session, access, items=items, contexts=contexts)
    if result.errors:
        return _response(result)
    return Response(orjson.dumps(result.created), status_code=201, media_type=JSON)


@router.post(
    "/upsert",
    operation_id="batchUpsert",
    openapi_extra=_BODY,
    responses=_RESPONSES,
    status_code=201,
)
async def batch_upsert(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    access: EntitiesCreate,
    body: LdBody,
    options: Annotated[str | None, Query(description="replace (default) or update")] = None,
) -> Response:
    """6.15.3.1 Batch Entity Create or Update (Upsert)."""
    chosen = check_options(options, {"replace", "update"})
    items, contexts = await _items(request, body, settings)
    result = await service.upsert(
        session, access, items=items, contexts=contexts, replace="update" not in chosen
    )
    return _response(result, created_status=True)


@router.post(
    "/update",
    operation_id="batchUpdate",
    openapi_extra=_BODY,
    responses=_RESPONSES,
    status_code=204,
)
async def batch_update(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    options: Annotated[str | None, Query(description="noOverwrite")] = None,
) -> Response:
    """6.16.3.1 Batch Entity Update."""
    overwrite = "noOverwrite" not in check_options(options, {"noOverwrite"})
    items, contexts = await _items(request, body, settings)
    result = await service.update(
        session, access, items=items, contexts=contexts, overwrite=overwrite
    )
    return _response(result)


@router.post(
    "/merge", operation_id="batchMerge", openapi_extra=_BODY, responses=_RESPONSES, status_code=204
)
async def batch_merge(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
) -> Response:
    """6.31.3.1 Batch Entity Merge."""
    items, contexts = await _items(request, body, settings)
    result = await service.merge(session, access, items=items, contexts=contexts)
    return _response(result)


@router.post(
    "/delete",
    operation_id="batchDelete",
    responses=_RESPONSES,
    status_code=204,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": {"type": "array", "items": {"type": "string"}}}},
        }
    },
)
async def batch_delete(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
) -> Response:
    """6.17.3.1 Batch Entity Delete (an array of entity ids)."""
    ids = check_batch(body.data, settings.batch_max_entities)
    result = await service.delete(session, access, ids=ids)
    return _response(result)
