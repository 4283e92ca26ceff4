"""The NGSI-v2 face (Orion's API): parsing and dependencies only; rules in broker/v2/service.py."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from broker.core.errors import BadRequestData
from broker.core.routing import location
from broker.v2 import service
from broker.v2.dependencies import ReadRequest, WriteRequest
from broker.v2.errors import V2Route
from broker.v2.query import V2Filter, entity_query
from broker.v2.schemas import (
    JSON,
    Attrs,
    EntityType,
    Metadata,
    Options,
    PageDep,
    V2Body,
    V2Page,
    ValueBody,
    counted,
    json_response,
    shaped,
    unique,
)
from broker.v2.service import V2Request

router = APIRouter(prefix="/v2", tags=["ngsi-v2"], route_class=V2Route)
version_router = APIRouter(tags=["ngsi-v2"], route_class=V2Route)

ORION_VERSION = "3.10.1"


@version_router.get("/version", operation_id="v2Version")
async def version(request: Request) -> Response:
    """Orion's GET /version, naming Renkei."""
    return json_response(
        {
            "orion": {
                "version": ORION_VERSION,
                "uptime": "",
                "git_hash": "renkei",
                "compile_time": "",
                "compiled_by": "renkei",
                "compiled_in": "renkei",
                "release_date": "",
                "machine": "",
                "doc": "/docs",
                "libversions": {"renkei": request.app.version},
            }
        }
    )


async def _list(
    r: V2Request,
    f: V2Filter,
    opts: set[str],
    *,
    attrs: str | None,
    metadata: str | None,
    paging: V2Page,
) -> Response:
    page = await service.query(
        r,
        entity_query(f, r.path.scope_query),
        limit=paging.limit,
        offset=paging.offset,
        count="count" in opts,
    )
    body = [shaped(e, opts, attrs, metadata) for e in page.entities]
    if "unique" in opts:
        body = unique(body)
    return counted(body, page.total)


@router.get("/entities", operation_id="v2ListEntities")
async def list_entities(
    r: ReadRequest,
    paging: PageDep,
    opts: Options,
    attrs: Attrs = None,
    metadata: Metadata = None,
    id: Annotated[str | None, Query(description="entity ids, comma-separated")] = None,
    idPattern: Annotated[str | None, Query(description="regular expression on ids")] = None,
    type: EntityType = None,
    typePattern: Annotated[str | None, Query(description="not supported")] = None,
    q: Annotated[str | None, Query(description="simple query language")] = None,
    mq: Annotated[str | None, Query(description="query on metadata")] = None,
    georel: Annotated[str | None, Query(description="near;maxDistance:m, coveredBy ...")] = None,
    geometry: Annotated[str | None, Query(description="point, line, polygon, box")] = None,
    coords: Annotated[str | None, Query(description="lat,lon;lat,lon")] = None,
    orderBy: Annotated[str | None, Query(description="not supported")] = None,
) -> Response:
    """List Entities (GET /v2/entities)."""
    if orderBy is not None:
        raise BadRequestData("orderBy is not supported")
    f = V2Filter(id, idPattern, type, typePattern, q, mq, georel, geometry, coords)
    return await _list(r, f, opts, attrs=attrs, metadata=metadata, paging=paging)


@router.post("/entities", status_code=201, operation_id="v2CreateEntity")
async def create_entity(
    r: WriteRequest,
    body: V2Body,
    opts: Options,
) -> Response:
    """Create Entity (POST /v2/entities, options=keyValues, upsert: 204 if it existed)."""
    created = await service.create(r, body, key_values="keyValues" in opts, upsert="upsert" in opts)
    if not created:
        return Response(status_code=204)
    where = location("/v2/entities", str(body["id"])) + f"?type={body.get('type', 'Thing')}"
    return Response(status_code=201, headers={"Location": where})


@router.get("/entities/{entity_id}", operation_id="v2RetrieveEntity")
async def retrieve_entity(
    r: ReadRequest,
    opts: Options,
    entity_id: str,
    type: EntityType = None,
    attrs: Attrs = None,
    metadata: Metadata = None,
) -> Response:
    """Retrieve Entity (GET /v2/entities/{id})."""
    entity = await service.retrieve(r, entity_id, type)
    return json_response(shaped(entity, opts, attrs, metadata))


@router.delete("/entities/{entity_id}", status_code=204, operation_id="v2RemoveEntity")
async def remove_entity(
    r: WriteRequest,
    entity_id: str,
    type: EntityType = None,
) -> Response:
    """Remove Entity (DELETE /v2/entities/{id})."""
    await service.delete(r, entity_id, type)
    return Response(status_code=204)


@router.get("/entities/{entity_id}/attrs", operation_id="v2RetrieveEntityAttributes")
async def retrieve_attributes(
    r: ReadRequest,
    opts: Options,
    entity_id: str,
    type: EntityType = None,
    attrs: Attrs = None,
    metadata: Metadata = None,
) -> Response:
    """Retrieve Entity Attributes (GET /v2/entities/{id}/attrs)."""
    entity = await service.retrieve(r, entity_id, type)
    body = shaped(entity, opts, attrs, metadata)
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("id", "type")}
    return json_response(body)


@router.post("/entities/{entity_id}/attrs", status_code=204, operation_id="v2AppendAttributes")
async def append_attributes(
    r: WriteRequest,
    body: V2Body,
    opts: Options,
    entity_id: str,
    type: EntityType = None,
) -> Response:
    """Update or Append Entity Attributes (POST /v2/entities/{id}/attrs, options=append)."""
    await service.append(
        r, entity_id, type, body, key_values="keyValues" in opts, strict="append" in opts
    )
    return Response(status_code=204)


@router.patch("/entities/{entity_id}/attrs", status_code=204, operation_id="v2UpdateAttributes")
async def update_attributes(
    r: WriteRequest,
    body: V2Body,
    opts: Options,
    entity_id: str,
    type: EntityType = None,
) -> Response:
    """Update Existing Entity Attributes (PATCH /v2/entities/{id}/attrs)."""
    await service.update(r, entity_id, type, body, key_values="keyValues" in opts)
    return Response(status_code=204)


@router.put("/entities/{entity_id}/attrs", status_code=204, operation_id="v2ReplaceAttributes")
async def replace_attributes(
    r: WriteRequest,
    body: V2Body,
    opts: Options,
    entity_id: str,
    type: EntityType = None,
) -> Response:
    """Replace all entity attributes (PUT /v2/entities/{id}/attrs)."""
    await service.replace_attrs(r, entity_id, type, body, key_values="keyValues" in opts)
    return Response(status_code=204)


@router.get("/entities/{entity_id}/attrs/{attr_name}", operation_id="v2GetAttribute")
async def get_attribute(
    r: ReadRequest,
    entity_id: str,
    attr_name: str,
    type: EntityType = None,
    metadata: Metadata = None,
) -> Response:
    """Get attribute data (GET /v2/entities/{id}/attrs/{attrName})."""
    attr = await service.attribute(r, entity_id, type, attr_name)
    return json_response(shaped({attr_name: attr}, set(), None, metadata)[attr_name])


@router.put(
    "/entities/{entity_id}/attrs/{attr_name}", status_code=204, operation_id="v2UpdateAttribute"
)
async def update_attribute(
    r: WriteRequest,
    body: V2Body,
    entity_id: str,
    attr_name: str,
    type: EntityType = None,
) -> Response:
    """Update Attribute Data (PUT /v2/entities/{id}/attrs/{attrName})."""
    await service.put_attribute(r, entity_id, type, attr_name, body)
    return Response(status_code=204)


@router.delete(
    "/entities/{entity_id}/attrs/{attr_name}", status_code=204, operation_id="v2RemoveAttribute"
)
async def remove_attribute(
    r: WriteRequest,
    entity_id: str,
    attr_name: str,
    type: EntityType = None,
) -> Response:
    """Remove a Single Attribute (DELETE /v2/entities/{id}/attrs/{attrName})."""
    await service.delete_attribute(r, entity_id, type, attr_name)
    return Response(status_code=204)


@router.get("/entities/{entity_id}/attrs/{attr_name}/value", operation_id="v2GetAttributeValue")
async def get_value(
    r: ReadRequest,
    entity_id: str,
    attr_name: str,
    type: EntityType = None,
) -> Response:
    """Get Attribute Value: objects and arrays as JSON, other values as text/plain."""
    value = (await service.attribute(r, entity_id, type, attr_name))["value"]
    media = JSON if isinstance(value, dict | list) else "text/plain"
    return Response(orjson.dumps(value), media_type=media)


@router.put(
    "/entities/{entity_id}/attrs/{attr_name}/value",
    status_code=204,
    operation_id="v2UpdateAttributeValue",
)
async def put_value(
    r: WriteRequest,
    value: ValueBody,
    entity_id: str,
    attr_name: str,
    type: EntityType = None,
) -> Response:
    """Update Attribute Value (PUT /v2/entities/{id}/attrs/{attrName}/value)."""
    await service.put_value(r, entity_id, type, attr_name, value)
    return Response(status_code=204)


_ACTIONS = {"append", "appendStrict", "update", "delete", "replace"}


@router.post("/op/update", status_code=204, operation_id="v2BatchUpdate")
async def batch_update(
    r: WriteRequest,
    body: V2Body,
) -> Response:
    """Update (POST /v2/op/update): append, appendStrict, update, delete, replace."""
    if not isinstance(body, dict) or body.get("actionType") not in _ACTIONS:
        raise BadRequestData(f"actionType must be one of {sorted(_ACTIONS)}")
    items = body.get("entities")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadRequestData("entities must be an array of entities")
    await service.batch_update(r, body["actionType"], items)
    return Response(status_code=204)


@router.post("/op/query", operation_id="v2BatchQuery")
async def batch_query(
    r: ReadRequest,
    paging: PageDep,
    body: V2Body,
    opts: Options,
) -> Response:
    """Query (POST /v2/op/query): one entity selector; expression q, mq, georel."""
    if not isinstance(body, dict):
        raise BadRequestData("the body must be an object")
    selectors = body.get("entities") or [{}]
    if not isinstance(selectors, list) or len(selectors) != 1 or not isinstance(selectors[0], dict):
        raise BadRequestData("entities must hold exactly one selector")
    s, e = selectors[0], body.get("expression") or {}
    f = V2Filter(
        s.get("id"), s.get("idPattern"), s.get("type"), s.get("typePattern"),
        e.get("q"), e.get("mq"), e.get("georel"), e.get("geometry"), e.get("coords"),
    )  # fmt: skip
    attrs = body.get("attrs")
    names = ",".join(attrs) if isinstance(attrs, list) and attrs else None
    return await _list(r, f, opts, attrs=names, metadata=None, paging=paging)
