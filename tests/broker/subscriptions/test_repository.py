"""The subscription repositories: one tenant-bound, one for workers across tenants, and no SQL
built anywhere else in broker/subscriptions/."""

import ast
from pathlib import Path

import httpx
from fastapi import FastAPI

from auth.principals import Access
from broker.core.repository import Repository, TenantBoundRepository
from broker.core.tenancy import DEFAULT_TENANT
from broker.subscriptions.repository import OutboxRepository, SubscriptionRepository
from tests.broker.subscriptions.helpers import subscribe

PACKAGE = Path(__file__).resolve().parents[3] / "broker" / "subscriptions"
SQL_MODULES = {"repository.py", "models.py"}  # statements, and the tables they run on


def test_the_repositories_are_built_on_the_two_bases() -> None:
    assert issubclass(SubscriptionRepository, TenantBoundRepository)
    assert issubclass(OutboxRepository, Repository)
    assert not issubclass(OutboxRepository, TenantBoundRepository)


def test_no_module_but_the_repository_builds_sql() -> None:
    """Other modules may name a session (to hand it on), never build a statement."""
    building = set()
    for path in PACKAGE.glob("*.py"):
        if path.name in SQL_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                name = node.module
            elif isinstance(node, ast.Import):
                name = node.names[0].name
            else:
                continue
            if name.split(".")[0] == "sqlalchemy" and name != "sqlalchemy.ext.asyncio":
                building.add(path.name)
    assert building == set()


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
