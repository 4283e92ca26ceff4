"""NGSI-LD temporal routes (clauses 6.18, 6.19). Parsing and dependencies only; rules in
service."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import RESULTS_COUNT, PagingDep
from broker.core.routing import RenkeiRoute
from broker.entities.attributes import check_attribute_name
from broker.entities.dependencies import MAX_IDS, split_list
from broker.entities.query.grammar import parse_q, parse_types
from broker.entities.query.selection import EntityQuery, Selector
from broker.entities.render import format_datetime
from broker.jsonld.dependencies import LD_ERRORS, LdAccept, LdOutput
from broker.jsonld.negotiation import LD_JSON
from broker.temporal import service
from broker.temporal.dependencies import TemporalRead, TemporalRequestDep
from broker.temporal.service import TemporalResult

router = APIRouter(prefix="/temporal/entities", tags=["temporal"], route_class=RenkeiRoute)

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
    )
    result = await service.query_temporal(
        session,
        access,
        selection=selection,
        query=temporal.query,
        view=temporal.view,
        context=output.context,
        limit=paging.limit,
        offset=paging.offset,
        count=paging.count,
    )
    response = _respond(result, result.entities, output)
    for link in paging.links(more=result.more):
        response.headers.append("Link", link)
    return response


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
