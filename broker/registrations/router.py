"""Context source registration routes (clauses 6.8 and 6.9). Parsing and dependencies only."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import RESULTS_COUNT, PagingDep
from broker.core.routing import RenkeiRoute, location
from broker.entities.attributes import check_attribute_name
from broker.entities.dependencies import split_list
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.jsonld.dependencies import LD_BODY_OPENAPI, LD_ERRORS, LdAccept, LdBody
from broker.registrations import discovery, service
from broker.registrations.dependencies import (
    RegistrationsDep,
    RegistrationsRead,
    RegistrationsWrite,
)

COLLECTION = "/ngsi-ld/v1/csourceRegistrations"
router = APIRouter(
    prefix="/csourceRegistrations", tags=["context sources"], route_class=RenkeiRoute
)


@router.post(
    "",
    status_code=201,
    operation_id="createCSourceRegistration",
    openapi_extra=LD_BODY_OPENAPI,
    responses={201: {"description": "Created; Location names it"}, **LD_ERRORS, 409: {}},
)
async def create_registration(
    session: SessionDep, access: RegistrationsWrite, deps: RegistrationsDep, body: LdBody
) -> Response:
    """6.8.3.1 Register Context Source."""
    registration_id = await service.create_registration(
        session, access, deps, payload=body.data, context=body.context
    )
    return Response(status_code=201, headers={"Location": location(COLLECTION, registration_id)})


@router.get("", operation_id="queryCSourceRegistrations", responses=LD_ERRORS)
async def query_registrations(
    session: SessionDep,
    access: RegistrationsRead,
    output: LdAccept,
    paging: PagingDep,
    id: Annotated[str | None, Query(description="entity ids, comma-separated")] = None,
    type: Annotated[str | None, Query(description="entity types (, |)")] = None,
    idPattern: Annotated[str | None, Query(description="regular expression on ids")] = None,
    attrs: Annotated[str | None, Query(description="attribute names, comma-separated")] = None,
    q: Annotated[str | None, Query(description="query on registration properties")] = None,
    csf: Annotated[str | None, Query(description="context source filter")] = None,
    scopeQ: Annotated[str | None, Query(description="scope query")] = None,
    georel: Annotated[str | None, Query(description="near;maxDistance==m, within, ...")] = None,
    geometry: Annotated[str | None, Query(description="Point, Polygon, ...")] = None,
    coordinates: Annotated[str | None, Query(description="JSON array of coordinates")] = None,
    geoproperty: Annotated[str | None, Query(description="location (default) ...")] = None,
) -> Response:
    """6.8.3.2 Query Context Source Registrations."""
    query = discovery.RegistrationQuery(
        ids=tuple(split_list(id, "id")),
        types=parse_types(type) if type is not None else None,
        id_pattern=idPattern,
        attrs=frozenset(check_attribute_name(a) for a in split_list(attrs, "attrs")),
        q=parse_q(q) if q is not None else None,
        csf=parse_q(csf) if csf is not None else None,
        scope_q=parse_scope_query(scopeQ) if scopeQ is not None else None,
        geo=parse_geo_query(georel, geometry, coordinates, geoproperty),
    )
    page = await discovery.query_registrations(
        session,
        access,
        query=query,
        context=output.context,
        limit=paging.limit,
        offset=paging.offset,
        count=paging.count,
    )
    headers = {RESULTS_COUNT: str(page.total)} if page.total is not None else {}
    response = output.response(page.items, headers=headers)
    for link in paging.links(more=page.more):
        response.headers.append("Link", link)
    return response


@router.get("/{registration_id}", operation_id="retrieveCSourceRegistration", responses=LD_ERRORS)
async def retrieve_registration(
    session: SessionDep, access: RegistrationsRead, output: LdAccept, registration_id: str
) -> Response:
    """6.9.3.1 Retrieve Context Source Registration."""
    found = await service.retrieve_registration(
        session, access, registration_id=registration_id, context=output.context
    )
    return output.response(found)


@router.patch(
    "/{registration_id}",
    status_code=204,
    operation_id="updateCSourceRegistration",
    openapi_extra=LD_BODY_OPENAPI,
    responses={**LD_ERRORS, 409: {}},
)
async def update_registration(
    session: SessionDep,
    access: RegistrationsWrite,
    deps: RegistrationsDep,
    body: LdBody,
    registration_id: str,
) -> Response:
    """6.9.3.2 Update Context Source Registration."""
    await service.update_registration(
        session,
        access,
        deps,
        registration_id=registration_id,
        payload=body.data,
        context=body.context,
    )
    return Response(status_code=204)


@router.delete(
    "/{registration_id}",
    status_code=204,
    operation_id="deleteCSourceRegistration",
    responses=LD_ERRORS,
)
async def delete_registration(
    session: SessionDep, access: RegistrationsWrite, registration_id: str
) -> Response:
    """6.9.3.3 Delete Context Source Registration."""
    await service.delete_registration(session, access, registration_id=registration_id)
    return Response(status_code=204)
