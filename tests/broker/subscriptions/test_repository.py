"""The subscription repository is bound to its tenant (the shape of every repository is checked
in tests/test_architecture.py)."""

from pathlib import Path

import httpx
from fastapi import FastAPI

from auth.principals import Access
from broker.core.tenancy import DEFAULT_TENANT
from broker.subscriptions.repository import SubscriptionRepository
from tests.broker.subscriptions.helpers import subscribe

PACKAGE = Path(__file__).resolve().parents[3] / "broker" / "subscriptions"
SQL_MODULES = {"repository.py", "models.py"}  # statements, and the tables they run on


async def test_a_repository_of_another_tenant_does_not_reach_the_subscription(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    subscription_id = await subscribe(client, "http://127.0.0.1:9/notify")
    async with app.state.db.transaction() as session:
        other = SubscriptionRepository(session, "yokohama")
        assert await other.get(subscription_id) is None
        assert await other.count() == 0
        assert not await other.delete(subscription_id)
        own = SubscriptionRepository.of(session, Access.system(DEFAULT_TENANT))
        assert own.tenant == DEFAULT_TENANT
        found = await own.get(subscription_id)
        assert found is not None and found.tenant_id == DEFAULT_TENANT
        assert await own.count() == 1
