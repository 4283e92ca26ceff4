"""/v2/subscriptions (Orion's API): parsing and dependencies only."""

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.db import SessionDep
from broker.core.tenancy import FIWARE_SERVICE_HEADER
from broker.subscriptions.dependencies import SubscriptionsDep
from broker.v2.dependencies import ServicePathDep, V2Context
from broker.v2.errors import V2Route
from broker.v2.schemas import Options, PageDep, V2Body, counted, json_response
from broker.v2.subscriptions import service

router = APIRouter(prefix="/v2/subscriptions", tags=["ngsi-v2"], route_class=V2Route)

V2Subscribe = Annotated[
    Access, Depends(require(scopes.SUBSCRIBE, tenant_header=FIWARE_SERVICE_HEADER))
]


@router.post("", status_code=201, operation_id="v2CreateSubscription")
async def create_subscription(
    session: SessionDep,
    access: V2Subscribe,
    deps: SubscriptionsDep,
    context: V2Context,
    path: ServicePathDep,
    body: V2Body,
) -> Response:
    """Create Subscription (POST /v2/subscriptions), within the Fiware-ServicePath(s)."""
    v2_id = await service.create(session, access, deps, body=body, context=context, path=path)
    return Response(status_code=201, headers={"Location": f"/v2/subscriptions/{v2_id}"})


@router.get("", operation_id="v2ListSubscriptions")
async def list_subscriptions(
    session: SessionDep,
    access: V2Subscribe,
    deps: SubscriptionsDep,
    opts: Options,
    paging: PageDep,
) -> Response:
    """List Subscriptions (GET /v2/subscriptions, options=count)."""
    items, total = await service.page(
        session, access, deps, limit=paging.limit, offset=paging.offset, count="count" in opts
    )
    return counted(items, total)


@router.get("/{subscription_id}", operation_id="v2RetrieveSubscription")
async def retrieve_subscription(
    session: SessionDep, access: V2Subscribe, deps: SubscriptionsDep, subscription_id: str
) -> Response:
    """Retrieve Subscription (GET /v2/subscriptions/{id})."""
    return json_response(await service.retrieve(session, access, deps, v2_id=subscription_id))


@router.patch("/{subscription_id}", status_code=204, operation_id="v2UpdateSubscription")
async def update_subscription(
    session: SessionDep,
    access: V2Subscribe,
    deps: SubscriptionsDep,
    context: V2Context,
    body: V2Body,
    subscription_id: str,
) -> Response:
    """Update Subscription (PATCH /v2/subscriptions/{id})."""
    await service.update(session, access, deps, v2_id=subscription_id, body=body, context=context)
    return Response(status_code=204)


@router.delete("/{subscription_id}", status_code=204, operation_id="v2DeleteSubscription")
async def delete_subscription(
    session: SessionDep, access: V2Subscribe, subscription_id: str
) -> Response:
    """Delete subscription (DELETE /v2/subscriptions/{id})."""
    await service.delete(session, access, v2_id=subscription_id)
    return Response(status_code=204)
