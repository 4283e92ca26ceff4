"""Dependencies of the subscription routes: the caller's access and the subscriptions service."""

from typing import Annotated

from fastapi import Depends, Request

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.subscriptions.service import Subscriptions

SubscriptionsAccess = Annotated[Access, Depends(require(scopes.SUBSCRIBE))]


def _subscriptions(request: Request) -> Subscriptions:
    subscriptions: Subscriptions = request.app.state.subscriptions
    return subscriptions


SubscriptionsDep = Annotated[Subscriptions, Depends(_subscriptions)]
