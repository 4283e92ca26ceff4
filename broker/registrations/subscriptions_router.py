"""Context source registration subscription routes (clauses 6.12, 6.13). Parsing and
dependencies only. Subscribing to registrations needs what reading them needs."""

from fastapi import APIRouter
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import RESULTS_COUNT, PagingDep
from broker.core.routing import RenkeiRoute, location
from broker.jsonld.dependencies import LD_BODY_OPENAPI, LD_ERRORS, LdAccept, LdBody
from broker.registrations import csource_subscriptions as service
from broker.registrations.dependencies import RegistrationsDep, RegistrationsRead

COLLECTION = "/ngsi-ld/v1/csourceSubscriptions"
router = APIRouter(
    prefix="/csourceSubscriptions", tags=["context sources"], route_class=RenkeiRoute
)


@router.post(
    "",
    status_code=201,
    operation_id="createCSourceSubscription",
    openapi_extra=LD_BODY_OPENAPI,
    responses={201: {"description": "Created; Location names it"}, **LD_ERRORS, 409: {}},
)
async def create_subscription(
    session: SessionDep, access: RegistrationsRead, deps: RegistrationsDep, body: LdBody
) -> Response:
    """6.12.3.1 Create Context Source Registration Subscription."""
    subscription_id = await service.create_csource_subscription(
        session, access, deps, payload=body.data, context=body.context
    )
    return Response(status_code=201, headers={"Location": location(COLLECTION, subscription_id)})


@router.get("", operation_id="queryCSourceSubscriptions", responses=LD_ERRORS)
async def query_subscriptions(
    session: SessionDep,
    access: RegistrationsRead,
    deps: RegistrationsDep,
    output: LdAccept,
    paging: PagingDep,
) -> Response:
    """6.12.3.2 Query Context Source Registration Subscriptions."""
    page = await service.query_csource_subscriptions(
        session, access, deps, limit=paging.limit, offset=paging.offset, count=paging.count
    )
    headers = {RESULTS_COUNT: str(page.total)} if page.total is not None else {}
    response = output.response(page.items, headers=headers)
    for link in paging.links(more=page.more):
        response.headers.append("Link", link)
    return response


@router.get("/{subscription_id}", operation_id="retrieveCSourceSubscription", responses=LD_ERRORS)
async def retrieve_subscription(
    session: SessionDep,
    access: RegistrationsRead,
    deps: RegistrationsDep,
    output: LdAccept,
    subscription_id: str,
) -> Response:
    """6.13.3.1 Retrieve Context Source Registration Subscription."""
    found = await service.retrieve_csource_subscription(
        session, access, deps, subscription_id=subscription_id
    )
    return output.response(found)


@router.patch(
    "/{subscription_id}",
    status_code=204,
    operation_id="updateCSourceSubscription",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def update_subscription(
    session: SessionDep,
    access: RegistrationsRead,
    deps: RegistrationsDep,
    body: LdBody,
    subscription_id: str,
) -> Response:
    """6.13.3.2 Update Context Source Registration Subscription."""
    await service.update_csource_subscription(
        session,
        access,
        deps,
        subscription_id=subscription_id,
        payload=body.data,
        context=body.context,
    )
    return Response(status_code=204)


@router.delete(
    "/{subscription_id}",
    status_code=204,
    operation_id="deleteCSourceSubscription",
    responses=LD_ERRORS,
)
async def delete_subscription(
    session: SessionDep, access: RegistrationsRead, subscription_id: str
) -> Response:
    """6.13.3.3 Delete Context Source Registration Subscription."""
    await service.delete_csource_subscription(session, access, subscription_id=subscription_id)
    return Response(status_code=204)
