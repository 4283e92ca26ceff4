"""NGSI-LD subscription routes (clause 6.10 and 6.11). Parsing and dependencies only."""

from fastapi import APIRouter
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import RESULTS_COUNT, PagingDep
from broker.core.routing import RenkeiRoute, location
from broker.jsonld.dependencies import LD_BODY_OPENAPI, LD_ERRORS, LdAccept, LdBody
from broker.subscriptions import service
from broker.subscriptions.dependencies import SubscriptionsAccess, SubscriptionsDep

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"], route_class=RenkeiRoute)


@router.post(
    "",
    status_code=201,
    operation_id="createSubscription",
    openapi_extra=LD_BODY_OPENAPI,
    responses={201: {"description": "Created; Location names it"}, **LD_ERRORS, 409: {}},
)
async def create_subscription(
    session: SessionDep, access: SubscriptionsAccess, deps: SubscriptionsDep, body: LdBody
) -> Response:
    """6.10.3.1 Create Subscription."""
    subscription_id = await service.create_subscription(
        session, access, deps, payload=body.data, context=body.context
    )
    return Response(
        status_code=201,
        headers={"Location": location("/ngsi-ld/v1/subscriptions", subscription_id)},
    )


@router.get("", operation_id="querySubscription", responses=LD_ERRORS)
async def query_subscriptions(
    session: SessionDep,
    access: SubscriptionsAccess,
    deps: SubscriptionsDep,
    output: LdAccept,
    paging: PagingDep,
) -> Response:
    """6.10.3.2 Query Subscriptions."""
    page = await service.query_subscriptions(
        session, access, deps, limit=paging.limit, offset=paging.offset, count=paging.count
    )
    headers = {RESULTS_COUNT: str(page.total)} if page.total is not None else {}
    response = output.response(page.items, headers=headers)
    for link in paging.links(more=page.more):
        response.headers.append("Link", link)
    return response


@router.get("/{subscription_id}", operation_id="retrieveSubscription", responses=LD_ERRORS)
async def retrieve_subscription(
    session: SessionDep,
    access: SubscriptionsAccess,
    deps: SubscriptionsDep,
    output: LdAccept,
    subscription_id: str,
) -> Response:
    """6.11.3.1 Retrieve Subscription."""
    found = await service.retrieve_subscription(
        session, access, deps, subscription_id=subscription_id
    )
    return output.response(found)


@router.patch(
    "/{subscription_id}",
    status_code=204,
    operation_id="updateSubscription",
    openapi_extra=LD_BODY_OPENAPI,
    responses=LD_ERRORS,
)
async def update_subscription(
    session: SessionDep,
    access: SubscriptionsAccess,
    deps: SubscriptionsDep,
    body: LdBody,
    subscription_id: str,
) -> Response:
    """6.11.3.2 Update Subscription."""
    await service.update_subscription(
        session,
        access,
        deps,
        subscription_id=subscription_id,
        payload=body.data,
        context=body.context,
    )
    return Response(status_code=204)


@router.delete(
    "/{subscription_id}", status_code=204, operation_id="deleteSubscription", responses=LD_ERRORS
)
async def delete_subscription(
    session: SessionDep, access: SubscriptionsAccess, subscription_id: str
) -> Response:
    """6.11.3.3 Delete Subscription."""
    await service.delete_subscription(session, access, subscription_id=subscription_id)
    return Response(status_code=204)
