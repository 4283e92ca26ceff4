"""Fair shares: per-tenant and per-client request rate limits, 429 with Retry-After."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from auth.limits import RateLimiter
from broker.core.app import create_app
from broker.core.errors import TooManyRequests
from tests.auth.helpers import bearer
from tests.broker.entities.helpers import ENTITIES, assert_problem, headers
from tests.conftest import make_auth, make_settings

QUERY = f"{ENTITIES}?type=CrowdFlowObserved"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refuses_until_it_refills() -> None:
    clock = Clock()
    limiter = RateLimiter(tenant_rate=2, client_rate=0, burst=2, clock=clock)
    for _ in range(4):  # 2 requests/s with 2 s of burst
        limiter.take(tenant="yokohama", client="c")
    with pytest.raises(TooManyRequests) as refused:
        limiter.take(tenant="yokohama", client="c")
    assert refused.value.headers() == {"Retry-After": "1"}
    limiter.take(tenant="kawasaki", client="c")  # another tenant has its own bucket
    clock.now += 0.5
    limiter.take(tenant="yokohama", client="c")
    assert limiter.refused == {"tenant": 1, "client": 0}


def test_a_refused_request_costs_nothing_and_the_tenants_own_limit_wins() -> None:
    clock = Clock()
    limiter = RateLimiter(tenant_rate=100, client_rate=1, burst=1, clock=clock)
    limiter.take(tenant="t", client="c")
    with pytest.raises(TooManyRequests):
        limiter.take(tenant="t", client="c")
    clock.now += 1
    limiter.take(tenant="t", client="c")  # the refusal did not drain the bucket further
    limiter.take(tenant="small", client="d", tenant_rate=0.5)
    with pytest.raises(TooManyRequests) as refused:
        limiter.take(tenant="small", client="e", tenant_rate=0.5)
    assert refused.value.headers() == {"Retry-After": "2"}
    assert limiter.refused == {"tenant": 1, "client": 1}


@pytest.fixture
async def limited_app(database_url: str, client: httpx.AsyncClient) -> AsyncIterator[FastAPI]:
    """The test tenants and admin exist (the `client` fixture); this app limits each tenant to
    1 request/s with 5 s of burst."""
    auth = make_auth(rate_limit_tenant=1, rate_limit_burst=5)
    application = create_app(make_settings(database_url), auth=auth)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def limited(
    limited_app: FastAPI, client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=limited_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://renkei.test", headers=dict(client.headers)
    ) as http:
        yield http


async def test_a_flooding_tenant_gets_429_while_another_is_served(
    limited: httpx.AsyncClient,
) -> None:
    answers = [await limited.get(QUERY, headers=headers("yokohama")) for _ in range(8)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    refused = answers[-1]
    assert_problem(refused, 429, "TooManyRequests")
    assert int(refused.headers["Retry-After"]) >= 1
    assert (await limited.get(QUERY, headers=headers("kawasaki"))).status_code == 200
    metrics = (await limited.get("/metrics")).text
    assert 'renkei_rate_limited_total{limit="tenant"} 3.0' in metrics


async def test_the_prefecture_sets_a_tenants_own_limit(
    limited_app: FastAPI, limited: httpx.AsyncClient
) -> None:
    raised = await limited.patch("/admin/v1/tenants/sagamihara", json={"rateLimit": 100})
    assert raised.status_code == 200, raised.text
    assert raised.json()["rateLimit"] == 100
    answers = [await limited.get(QUERY, headers=headers("sagamihara")) for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    member = await bearer(limited, limited_app, tenants=["kawasaki"])
    refused = await limited.patch(
        "/admin/v1/tenants/kawasaki", json={"rateLimit": 1000}, headers=member
    )
    assert_problem(refused, 403, "Forbidden")
    reset = await limited.patch("/admin/v1/tenants/sagamihara", json={"rateLimit": None})
    assert reset.status_code == 200 and reset.json()["rateLimit"] is None
