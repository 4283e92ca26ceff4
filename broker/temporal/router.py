"""NGSI-LD temporal routes (clauses 6.18, 6.19). Parsing and dependencies only; rules in
service."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from auth.principals import Access
from broker.core.db import SessionDep
from broker.core.dependencies import RESULTS_COUNT, Paging, PagingDep
from broker.core.routing import RenkeiRoute, location
from broker.entities.attributes import check_attribute_name
from broker.entities.dependencies import MAX_IDS, DatasetIdQuery, DeleteAllQuery, split_list
from broker.entities.query.body import query_from_body
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.entities.query.selection import EntityQuery, Selector
from broker.entities.render import format_datetime
from broker.jsonld.context import Context
from broker.jsonld.dependencies import LD_BODY_OPENAPI, LD_ERRORS, LdAccept, LdBody, LdOutput
from broker.jsonld.negotiation import LD_JSON
from broker.temporal import service, writes
from broker.temporal.dependencies import (
    TemporalCreate,
    TemporalRead,
    TemporalRequest,
    TemporalRequestDep,
    TemporalWrite,
    with_body,
)
from broker.temporal.service import TemporalResult

router = APIRouter(prefix="/temporal/entities", tags=["temporal"], route_class=RenkeiRoute)
operations_router = APIRouter(
    prefix="/temporal/entityOperations", tags=["temporal"], route_class=RenkeiRoute
)

_PARTIAL: dict[int | str, dict[str, Any]] = {
    206: {"description": "Partial Content: Content-Range names the time range served"}
}


def _respond(result: TemporalResult, body: object, output: LdOutput) -> Response:
    headers = {RESULTS_COUNT: str(result.total)} if result.total is not None else {}
    status = 200
    if result.served is not None:
        first, last = result.served
        headers["Content-Range"] = f"date-time {format_datetime(first)}-{format_datetime(last)}/*"
        status = 206
    return output.response(body, status=status, headers=headers)


async def _query(
    session: AsyncSession,
    access: Access,
    selection: EntityQuery,
    temporal: TemporalRequest,
    paging: Paging,
    output: LdOutput,
    context: Context,
) -> Response:
    """Both temporal queries, once the request is parsed: a page, with its Link headers."""
    result = await service.query_temporal(
        session,
        access,
        selection=selection,
        query=temporal.query,
        view=temporal.view,
        context=context,
        limit=paging.limit,
        offset=paging.offset,
        count=paging.count,
    )
    response = _respond(result, result.entities, output)
    for link in paging.links(more=result.more):
        response.headers.append("Link", link)
    return response


@router.post(
    "",
    status_code=201,
    operation_id="createTemporalEntity",
    openapi_extra=LD_BODY_OPENAPI,
    responses={
        201: {"description": "Created; Location names the temporal entity"},
        204: {"description": "The instances were added to an existing temporal entity"},
        **LD_ERRORS,
    },
)
async def create_temporal_entity(
    session: SessionDep, access: TemporalCreate, body: LdBody
) -> Response:
    """5.6.11 Create or Update Temporal Evolution of an Entity."""
    entity_id, created = await writes.upsert_temporal(
        session, access, payload=body.data, context=body.context
    )
    if not created:
        return Response(status_code=204)
    return Response(
        status_code=201,
        headers={"Location": location("/ngsi-ld/v1/temporal/entities", entity_id)},
    )


@router.post(
    "/{entity_id:path}/attrs",
    status_code=204,
    operation_id="addTemporalAttributes",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def add_temporal_attributes(
    session: SessionDep, access: TemporalWrite, body: LdBody, entity_id: str
) -> Response:
    """5.6.12 Add Attributes to Temporal Evolution of an Entity."""
    await writes.add_instances(
        session, access, entity_id=entity_id, payload=body.data, context=body.context
    )
    return Response(status_code=204)


@router.patch(
    "/{entity_id:path}/attrs/{attr_id:path}/{instance_id}",
    status_code=204,
    operation_id="modifyAttributeInstance",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def modify_attribute_instance(
    session: SessionDep,
    access: TemporalWrite,
    body: LdBody,
    entity_id: str,
    attr_id: str,
    instance_id: str,
) -> Response:
    """5.6.14 Modify Attribute Instance in Temporal Evolution of an Entity."""
    await writes.modify_instance(
        session,
        access,
        entity_id=entity_id,
        attribute=attr_id,
        instance_id=instance_id,
        payload=body.data,
        context=body.context,
    )
    return Response(status_code=204)


@router.delete(
    "/{entity_id:path}/attrs/{attr_id:path}/{instance_id}",
    status_code=204,
    operation_id="deleteAttributeInstance",
    responses=LD_ERRORS,
)
async def delete_attribute_instance(
    session: SessionDep,
    access: TemporalWrite,
    output: LdAccept,
    entity_id: str,
    attr_id: str,
    instance_id: str,
) -> Response:
    """5.6.15 Delete Attribute Instance from Temporal Evolution of an Entity."""
    await writes.delete_instance(
        session,
        access,
        entity_id=entity_id,
        attribute=attr_id,
        instance_id=instance_id,
        context=output.context,
    )
    return Response(status_code=204)


@router.delete(
    "/{entity_id:path}/attrs/{attr_id:path}",
    status_code=204,
    operation_id="deleteTemporalAttribute",
    responses=LD_ERRORS,
)
async def delete_temporal_attribute(
    session: SessionDep,
    access: TemporalWrite,
    output: LdAccept,
    entity_id: str,
    attr_id: str,
    datasetId: DatasetIdQuery = None,
    deleteAll: DeleteAllQuery = False,
) -> Response:
    """5.6.13 Delete Attribute from Temporal Evolution of an Entity."""
    await writes.delete_attribute_history(
        session,
        access,
        entity_id=entity_id,
        attribute=attr_id,
        context=output.context,
        dataset_id=datasetId,
        delete_all=deleteAll,
    )
    return Response(status_code=204)


@router.delete(
    "/{entity_id:path}",
    status_code=204,
    operation_id="deleteTemporalEntity",
    responses=LD_ERRORS,
)
async def delete_temporal_entity(
    session: SessionDep, access: TemporalWrite, entity_id: str
) -> Response:
    """5.6.16 Delete Temporal Evolution of an Entity (its history; the entity stays)."""
    await writes.delete_temporal(session, access, entity_id=entity_id)
    return Response(status_code=204)


@router.get(
    "",
    operation_id="queryTemporalEntities",
    responses={200: {"description": "Temporal entities", "content": {LD_JSON: {}}}, **_PARTIAL},
)
async def query_temporal_entities(
    session: SessionDep,
    access: TemporalRead,
    output: LdAccept,
    temporal: TemporalRequestDep,
    paging: PagingDep,
    id: Annotated[str | None, Query(description="entity ids, comma-separated")] = None,
    idPattern: Annotated[str | None, Query(description="regular expression on ids")] = None,
    type: Annotated[str | None, Query(description="type selection (, | ; and parentheses)")] = None,
    attrs: Annotated[str | None, Query(description="attributes to select and return")] = None,
    q: Annotated[str | None, Query(description="NGSI-LD query on the current entity")] = None,
    scopeQ: Annotated[str | None, Query(description="scope query on the current entity")] = None,
    georel: Annotated[str | None, Query(description="near;maxDistance==m, within, ...")] = None,
    geometry: Annotated[str | None, Query(description="Point, Polygon, ...")] = None,
    coordinates: Annotated[str | None, Query(description="JSON array of coordinates")] = None,
    geoproperty: Annotated[str | None, Query(description="GeoProperty to test")] = None,
) -> Response:
    """6.19.3.1 Query Temporal Evolution of Entities."""
    selector = Selector(
        ids=tuple(split_list(id, "id", most=MAX_IDS)),
        id_pattern=idPattern,
        types=parse_types(type) if type is not None else None,
    )
    selection = EntityQuery(
        selectors=(selector,) if (selector.ids or idPattern or type) else (),
        attrs=frozenset(check_attribute_name(a) for a in split_list(attrs, "attrs")),
        q=parse_q(q) if q is not None else None,
        scope_q=parse_scope_query(scopeQ) if scopeQ is not None else None,
        geo=parse_geo_query(georel, geometry, coordinates, geoproperty),
    )
    return await _query(session, access, selection, temporal, paging, output, output.context)


@router.get(
    "/{entity_id:path}",
    operation_id="retrieveTemporalEntity",
    responses={
        200: {"description": "The entity's history", "content": {LD_JSON: {}}},
        **_PARTIAL,
        **LD_ERRORS,
    },
)
async def retrieve_temporal_entity(
    session: SessionDep,
    access: TemporalRead,
    output: LdAccept,
    temporal: TemporalRequestDep,
    entity_id: str,
) -> Response:
    """6.18.3.2 Retrieve Temporal Evolution of an Entity."""
    result = await service.retrieve_temporal(
        session,
        access,
        entity_id=entity_id,
        query=temporal.query,
        view=temporal.view,
        context=output.context,
    )
    return _respond(result, result.entities[0], output)


@operations_router.post(
    "/query",
    operation_id="queryTemporalEntitiesPost",
    openapi_extra=LD_BODY_OPENAPI,
    responses={200: {"description": "Temporal entities", "content": {LD_JSON: {}}}, **_PARTIAL},
)
async def query_temporal_entities_post(
    session: SessionDep,
    access: TemporalRead,
    body: LdBody,
    output: LdAccept,
    temporal: TemporalRequestDep,
    paging: PagingDep,
) -> Response:
    """5.7.4 Query Temporal Evolution of Entities via POST (Query with temporalQ in the body)."""
    selection = query_from_body(body.data)
    temporal = with_body(temporal, body.data, body.context)
    output = output.named_by(body)
    return await _query(session, access, selection, temporal, paging, output, body.context)
