"""Discovery: GET /types, /types/{type}, /attributes, /attributes/{attr} (6.25 to 6.28)."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.routing import RenkeiRoute
from broker.entities.dependencies import EntitiesRead
from broker.jsonld.dependencies import LdAccept
from broker.types import service

router = APIRouter(tags=["discovery"], route_class=RenkeiRoute)
Details = Annotated[bool, Query(description="list full descriptions instead of names")]


@router.get("/types", operation_id="retrieveEntityTypes")
async def entity_types(
    session: SessionDep, access: EntitiesRead, output: LdAccept, details: Details = False
) -> Response:
    """6.25.3.1 Retrieve Available Entity Types."""
    body = await service.entity_types(session, access, context=output.context, details=details)
    return output.response(body)


@router.get("/types/{type_name:path}", operation_id="retrieveEntityTypeInfo")
async def entity_type_info(
    session: SessionDep, access: EntitiesRead, output: LdAccept, type_name: str
) -> Response:
    """6.26.3.1 Retrieve Available Entity Type Information."""
    body = await service.entity_type_info(
        session, access, type_name=type_name, context=output.context
    )
    return output.response(body)


@router.get("/attributes", operation_id="retrieveAttributes")
async def attributes(
    session: SessionDep, access: EntitiesRead, output: LdAccept, details: Details = False
) -> Response:
    """6.27.3.1 Retrieve Available Attributes."""
    body = await service.attributes(session, access, context=output.context, details=details)
    return output.response(body)


@router.get("/attributes/{attribute:path}", operation_id="retrieveAttributeInfo")
async def attribute_info(
    session: SessionDep, access: EntitiesRead, output: LdAccept, attribute: str
) -> Response:
    """6.28.3.1 Retrieve Available Attribute Information."""
    body = await service.attribute_info(
        session, access, attribute=attribute, context=output.context
    )
    return output.response(body)
