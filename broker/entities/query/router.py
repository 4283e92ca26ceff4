"""6.4.3.2 Query Entities (GET /entities) and 6.23.3.1 Query (POST /entityOperations/query)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import RESULTS_COUNT, Paging, PagingDep
from broker.core.errors import BadRequestData
from broker.core.routing import RenkeiRoute
from broker.entities.attributes import check_attribute_name
from broker.entities.dependencies import (
    MAX_IDS,
    EntitiesRead,
    Local,
    RepresentationDep,
    check_geometry_property,
    split_list,
)
from broker.entities.join import JoinDep, join_of_body, joined_entities
from broker.entities.query.body import query_from_body
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.entities.query.selection import EntityQuery, Selector
from broker.entities.query.service import QueryResult
from broker.entities.render import Representation, feature_collection, render_feature
from broker.jsonld.dependencies import LD_BODY_OPENAPI, GeoAccept, LdBody, LdOutput
from broker.jsonld.negotiation import GEO_JSON
from broker.registrations import distributed
from broker.registrations.dependencies import HopIdDep, RegisteredTenantsDep, SourceCallerDep
from broker.registrations.forwarding import WARNING_HEADER

router = APIRouter(tags=["query"], route_class=RenkeiRoute)


def _respond(
    result: QueryResult,
    output: LdOutput,
    rep: Representation,
    paging: Paging | None = None,
    warning: str | None = None,
) -> Response:
    headers = {RESULTS_COUNT: str(result.total)} if result.total is not None else {}
    if warning:
        headers[WARNING_HEADER] = warning
    body: Any = result.entities
    if output.media_type == GEO_JSON:
        body = feature_collection([render_feature(r, output.context, rep) for r in result.records])
    response = output.response(body, headers=headers)
    for link in paging.links(more=result.more) if paging is not None else ():
        response.headers.append("Link", link)
    return response


@router.get("/entities", operation_id="queryEntities")
async def query_entities(
    session: SessionDep,
    access: EntitiesRead,
    output: GeoAccept,
    representation: RepresentationDep,
    paging: PagingDep,
    request: Request,
    caller: SourceCallerDep,
    hop_id: HopIdDep,
    registered: RegisteredTenantsDep,
    join: JoinDep,
    id: Annotated[str | None, Query(description="entity ids, comma-separated")] = None,
    idPattern: Annotated[str | None, Query(description="regular expression on ids")] = None,
    type: Annotated[str | None, Query(description="type selection (, | ; and parentheses)")] = None,
    attrs: Annotated[str | None, Query(description="attributes to select and return")] = None,
    q: Annotated[str | None, Query(description="NGSI-LD query language")] = None,
    scopeQ: Annotated[str | None, Query(description="scope query")] = None,
    georel: Annotated[str | None, Query(description="near;maxDistance==m, within, ...")] = None,
    geometry: Annotated[str | None, Query(description="Point, Polygon, ...")] = None,
    coordinates: Annotated[str | None, Query(description="JSON array of coordinates")] = None,
    geoproperty: Annotated[str | None, Query(description="GeoProperty to test")] = None,
    local: Local = False,
    via: Annotated[str | None, Header(include_in_schema=False)] = None,
    link: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """6.4.3.2 Query Entities (with the registered context sources unless local=true)."""
    check_geometry_property(representation, output.media_type)
    if not (type or idPattern or attrs or q or scopeQ or georel or local):
        # 5.7.2.4: a query names types, attributes, a q or geo filter, or asks for local=true
        raise BadRequestData(
            "too broad a query: give type, idPattern, attrs, q, scopeQ or a geo-query "
            "(or local=true for every entity)"
        )
    selector = Selector(
        ids=tuple(split_list(id, "id", most=MAX_IDS)),
        id_pattern=idPattern,
        types=parse_types(type) if type is not None else None,
    )
    query = EntityQuery(
        selectors=(selector,) if (selector.ids or idPattern or type) else (),
        attrs=frozenset(check_attribute_name(a) for a in split_list(attrs, "attrs")),
        q=parse_q(q) if q is not None else None,
        scope_q=parse_scope_query(scopeQ) if scopeQ is not None else None,
        geo=parse_geo_query(georel, geometry, coordinates, geoproperty),
    )
    answer = await distributed.query_entities(
        session,
        access,
        query=query,
        context=output.context,
        representation=representation,
        limit=paging.limit,
        offset=paging.offset,
        count=paging.count,
        hop=distributed.Hop(hop_id, via, local or output.media_type == GEO_JSON, registered),
        caller=caller,
        params=request.query_params.multi_items(),
        link=link,
    )
    await joined_entities(session, access, answer.result, output.context, representation, join)
    return _respond(answer.result, output, representation, paging, answer.warning)


@router.post(
    "/entityOperations/query",
    operation_id="queryEntitiesPost",
    openapi_extra=LD_BODY_OPENAPI,
)
async def query_entities_post(
    session: SessionDep,
    access: EntitiesRead,
    body: LdBody,
    output: GeoAccept,
    representation: RepresentationDep,
    paging: PagingDep,
    request: Request,
    caller: SourceCallerDep,
    hop_id: HopIdDep,
    registered: RegisteredTenantsDep,
    join: JoinDep,
    local: Local = False,
    via: Annotated[str | None, Header(include_in_schema=False)] = None,
    link: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """6.23.3.1 Query Entities via POST (Query data type in the body), with the registered
    context sources unless local=true."""
    query = query_from_body(body.data)
    output = output.named_by(body)
    if isinstance(body.data, dict) and body.data.get("attrs"):
        representation = _with_attrs(representation, query, body)
    answer = await distributed.query_entities(
        session,
        access,
        query=query,
        context=body.context,
        representation=representation,
        limit=paging.limit,
        offset=paging.offset,
        count=paging.count,
        hop=distributed.Hop(hop_id, via, local or output.media_type == GEO_JSON, registered),
        caller=caller,
        params=request.query_params.multi_items(),
        link=link,
        body=body.data,
    )
    join = join_of_body(body.data, join)
    await joined_entities(session, access, answer.result, body.context, representation, join)
    return _respond(answer.result, output, representation, warning=answer.warning)


def _with_attrs(rep: Representation, query: EntityQuery, body: Any) -> Representation:
    from dataclasses import replace

    from broker.entities.render import ENTITY_MEMBERS

    expanded = frozenset(body.context.expand(a) for a in query.attrs)
    return replace(rep, pick=expanded | ENTITY_MEMBERS, attrs_only=True)
