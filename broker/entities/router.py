"""NGSI-LD entity routes (clause 6.4 to 6.7). Parsing and dependencies only; rules in service."""

from functools import partial
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.routing import RenkeiRoute, location
from broker.entities import service
from broker.entities.dependencies import (
    DatasetIdQuery,
    DeleteAllQuery,
    EntitiesCreate,
    EntitiesRead,
    EntitiesWrite,
    Local,
    RepresentationDep,
    check_geometry_property,
    check_options,
)
from broker.entities.documents import UpdateResult
from broker.entities.join import JoinDep, joined_entity
from broker.entities.render import render_feature
from broker.jsonld.dependencies import LD_BODY_OPENAPI, LD_ERRORS, GeoAccept, LdAccept, LdBody
from broker.jsonld.negotiation import GEO_JSON, JSON, LD_JSON
from broker.registrations.dependencies import HopIdDep, RegisteredTenantsDep, SourceCallerDep
from broker.registrations.distributed import Hop
from broker.registrations.distributed_retrieve import retrieve_entity as retrieve_distributed
from broker.registrations.distributed_write import update_attributes as update_distributed
from broker.registrations.forwarding import WARNING_HEADER

router = APIRouter(prefix="/entities", tags=["entities"], route_class=RenkeiRoute)

EntityId = Annotated[str, "the entity id, a URI"]
TypeSelector = Annotated[
    str | None,
    Query(alias="type", description="the entity's type (V1.9 selector); 404 if it has not"),
]


def _update_result(result: UpdateResult) -> Response:
    if result.complete:
        return Response(status_code=204)
    body = {
        "updated": result.updated,
        "notUpdated": [{"attributeName": n, "reason": r} for n, r in result.not_updated],
    }
    return Response(orjson.dumps(body), status_code=207, media_type=JSON)


@router.post(
    "",
    status_code=201,
    operation_id="createEntity",
    openapi_extra=LD_BODY_OPENAPI,
    responses={
        201: {"description": "Created; Location names the entity"},
        **LD_ERRORS,
        409: {"description": "AlreadyExists"},
    },
)
async def create_entity(session: SessionDep, access: EntitiesCreate, body: LdBody) -> Response:
    """6.4.3.1 Create Entity."""
    entity_id = await service.create_entity(
        session, access, payload=body.data, context=body.context
    )
    return Response(
        status_code=201, headers={"Location": location("/ngsi-ld/v1/entities", entity_id)}
    )


@router.post(
    "/{entity_id:path}/attrs",
    status_code=204,
    operation_id="appendEntityAttributes",
    openapi_extra=LD_BODY_OPENAPI,
    responses={207: {"description": "Some attributes were not appended"}, **LD_ERRORS},
)
async def append_attributes(
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    entity_id: str,
    options: Annotated[str | None, Query(description="noOverwrite")] = None,
    entity_type: TypeSelector = None,
) -> Response:
    """6.6.3.1 Append Entity Attributes."""
    overwrite = "noOverwrite" not in check_options(options, {"noOverwrite"})
    result = await service.append_attributes(
        session,
        access,
        entity_id=entity_id,
        payload=body.data,
        context=body.context,
        overwrite=overwrite,
        entity_type=entity_type,
    )
    return _update_result(result)


@router.patch(
    "/{entity_id:path}/attrs",
    status_code=204,
    operation_id="updateEntityAttributes",
    openapi_extra=LD_BODY_OPENAPI,
    responses={207: {"description": "Some attributes were not updated"}, **LD_ERRORS},
)
async def update_attributes(
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    entity_id: str,
    caller: SourceCallerDep,
    hop_id: HopIdDep,
    local: Local = False,
    entity_type: TypeSelector = None,
    via: Annotated[str | None, Header(include_in_schema=False)] = None,
    link: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """6.6.3.2 Update Entity Attributes; attributes a context source holds go to it."""
    target: dict[str, Any] = {"entity_id": entity_id, "payload": body.data, "context": body.context}
    local_update = partial(service.update_attributes, session, access, entity_type=entity_type)
    forwarded = await update_distributed(
        session,
        access,
        **target,
        named=body.named,
        link=link,
        hop=Hop(hop_id, via, local),
        caller=caller,
        local_update=partial(local_update, **target),
    )
    response = _update_result(forwarded.result)
    if forwarded.warning:
        response.headers[WARNING_HEADER] = forwarded.warning
    return response


@router.patch(
    "/{entity_id:path}/attrs/{attr_id:path}",
    status_code=204,
    operation_id="partialAttributeUpdate",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def partial_attribute_update(
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    entity_id: str,
    attr_id: str,
    entity_type: TypeSelector = None,
) -> Response:
    """6.7.3.1 Partial Attribute Update."""
    await service.update_attribute(
        session,
        access,
        entity_id=entity_id,
        attribute=attr_id,
        payload=body.data,
        context=body.context,
        replace=False,
        entity_type=entity_type,
    )
    return Response(status_code=204)


@router.put(
    "/{entity_id:path}/attrs/{attr_id:path}",
    status_code=204,
    operation_id="replaceAttribute",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def replace_attribute(
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    entity_id: str,
    attr_id: str,
    entity_type: TypeSelector = None,
) -> Response:
    """6.7.3.3 Replace Attribute."""
    await service.update_attribute(
        session,
        access,
        entity_id=entity_id,
        attribute=attr_id,
        payload=body.data,
        context=body.context,
        replace=True,
        entity_type=entity_type,
    )
    return Response(status_code=204)


@router.delete(
    "/{entity_id:path}/attrs/{attr_id:path}",
    status_code=204,
    operation_id="deleteAttribute",
    responses=LD_ERRORS,
)
async def delete_attribute(
    session: SessionDep,
    access: EntitiesWrite,
    output: LdAccept,
    entity_id: str,
    attr_id: str,
    datasetId: DatasetIdQuery = None,
    deleteAll: DeleteAllQuery = False,
    entity_type: TypeSelector = None,
) -> Response:
    """6.7.3.2 Delete Attribute."""
    await service.delete_attribute(
        session,
        access,
        entity_id=entity_id,
        attribute=attr_id,
        context=output.context,
        dataset_id=datasetId,
        delete_all=deleteAll,
        entity_type=entity_type,
    )
    return Response(status_code=204)


@router.get(
    "/{entity_id:path}",
    operation_id="retrieveEntity",
    responses={200: {"description": "The entity", "content": {LD_JSON: {}}}, **LD_ERRORS},
)
async def retrieve_entity(
    session: SessionDep,
    access: EntitiesRead,
    output: GeoAccept,
    representation: RepresentationDep,
    entity_id: str,
    request: Request,
    caller: SourceCallerDep,
    hop_id: HopIdDep,
    registered: RegisteredTenantsDep,
    join: JoinDep,
    entity_type: TypeSelector = None,
    local: Local = False,
    via: Annotated[str | None, Header(include_in_schema=False)] = None,
    link: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """6.5.3.1 Retrieve Entity (with the registered context sources unless local=true)."""
    check_geometry_property(representation, output.media_type)
    if output.media_type == GEO_JSON:
        record = await service.retrieve_entity(
            session,
            access,
            entity_id=entity_id,
            representation=representation,
            entity_type=entity_type,
            context=output.context,
        )
        return output.response(render_feature(record, output.context, representation))
    answer = await retrieve_distributed(
        session,
        access,
        entity_id=entity_id,
        representation=representation,
        entity_type=entity_type,
        context=output.context,
        hop=Hop(hop_id, via, local, registered),
        caller=caller,
        params=request.query_params.multi_items(),
        link=link,
    )
    headers = {WARNING_HEADER: answer.warning} if answer.warning else {}
    body = await joined_entity(session, access, answer.entity, output.context, representation, join)
    return output.response(body, headers=headers)


@router.put(
    "/{entity_id:path}",
    status_code=204,
    operation_id="replaceEntity",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def replace_entity(
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    entity_id: str,
    entity_type: TypeSelector = None,
) -> Response:
    """6.5.3.3 Replace Entity."""
    await service.replace_entity(
        session,
        access,
        entity_id=entity_id,
        payload=body.data,
        context=body.context,
        entity_type=entity_type,
    )
    return Response(status_code=204)


@router.patch(
    "/{entity_id:path}",
    status_code=204,
    operation_id="mergeEntity",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def merge_entity(
    session: SessionDep,
    access: EntitiesWrite,
    body: LdBody,
    entity_id: str,
    entity_type: TypeSelector = None,
) -> Response:
    """6.5.3.4 Merge Entity."""
    await service.merge_entity(
        session,
        access,
        entity_id=entity_id,
        payload=body.data,
        context=body.context,
        entity_type=entity_type,
    )
    return Response(status_code=204)


@router.delete(
    "/{entity_id:path}", status_code=204, operation_id="deleteEntity", responses=LD_ERRORS
)
async def delete_entity(
    session: SessionDep,
    access: EntitiesWrite,
    output: LdAccept,
    entity_id: str,
    entity_type: TypeSelector = None,
) -> Response:
    """6.5.3.2 Delete Entity."""
    await service.delete_entity(
        session, access, entity_id=entity_id, entity_type=entity_type, context=output.context
    )
    return Response(status_code=204)
