"""GET /metrics: Prometheus text with HTTP, entity, IoT, database pool and notification metrics."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from broker.core.app import create_app
from broker.core.migrate import upgrade
from tests.broker.entities.helpers import ENTITIES, create, headers
from tests.broker.subscriptions.helpers import (
    create_entity,
    eventually,
    received,
    receiver,
    set_count,
    subscribe,
)
from tests.conftest import make_auth, make_settings

DEPTH = ("renkei_notification_outbox_depth", frozenset())


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own, started, and a client of it without credentials."""
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    await create(client, tenant="yokohama")
    await client.get(f"{ENTITIES}/urn:ngsi-ld:Nothing:1", headers=headers(tenant="yokohama"))
    found = await scrape(client)
    route = "/ngsi-ld/v1/entities/{entity_id:path}"
    key = frozenset({"method": "GET", "route": route, "status": "404"}.items())
    assert found[("renkei_http_requests_total", key)] >= 1
    created = frozenset({"method": "POST", "route": ENTITIES, "status": "201"}.items())
    assert found[("renkei_http_requests_total", created)] >= 1
    latency = frozenset({"method": "POST", "route": ENTITIES}.items())
    assert found[("renkei_http_request_duration_seconds_count", latency)] >= 1


async def test_unknown_paths_share_one_route_label(client: httpx.AsyncClient) -> None:
    await client.get("/no/such/path/12345")
    text = (await client.get("/metrics")).text
    assert "/no/such/path" not in text
    assert 'route="(no route)"' in text


async def test_series_do_not_grow_with_tenants(app: FastAPI, client: httpx.AsyncClient) -> None:
    await create(client, tenant="kawasaki")
    app.state.metrics.expire()
    before = await scrape(client)
    for tenant in ("yokohama", "sagamihara"):
        await create(client, tenant=tenant)
    app.state.metrics.expire()
    after = await scrape(client)
    assert set(after) == set(before)
    assert not [key for key in after if "tenant" in dict(key[1])]
    assert after[("renkei_entities", frozenset())] == 3
    assert after[("renkei_tenants_with_entities", frozenset())] == 3


async def test_entity_totals_iot_counters_and_pool_are_exposed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create(client, tenant="kawasaki")
    app.state.metrics.expire()  # the entity counts are cached for metrics_cache_ttl seconds
    found = await scrape(client)
    assert found[("renkei_entities", frozenset())] == 1
    assert ("renkei_iot_messages_received_total", frozenset()) in found
    dropped = frozenset({("reason", "unknownDevices")})
    assert ("renkei_iot_messages_dropped_total", dropped) in found
    assert ("renkei_db_pool_connections", frozenset({("state", "in_use")})) in found


async def test_notification_metrics_are_the_notifiers_counters_and_the_outbox_depth(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        await set_count(client, 3)
        await received(target)

        async def drained() -> dict[tuple[str, frozenset[tuple[str, str]]], float] | None:
            app.state.metrics.expire()  # the outbox depth is cached for metrics_cache_ttl
            found = await scrape(client)
            return found if found[DEPTH] == 0 else None

        found = await eventually(drained)
    # the app's notifier (or another process's on the same store) delivered it
    stats = app.state.notifier.stats
    for name in ("claimed", "sent", "failed", "retried", "dropped", "queued_periodic"):
        assert found[(f"renkei_notifications_{name}_total", frozenset())] == getattr(stats, name)


async def test_metrics_need_the_token_when_one_is_set(database_url: str) -> None:
    app = create_app(
        make_settings(database_url, metrics_token="scrape-me"), auth=make_auth(audit_enabled=False)
    )
    async with _serving(app) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert right.status_code == 200


async def test_metrics_can_be_turned_off(database_url: str) -> None:
    app = create_app(
        make_settings(database_url, metrics_enabled=False), auth=make_auth(audit_enabled=False)
    )
    async with _serving(app) as http:
        assert (await http.get("/metrics")).status_code == 404


@pytest.fixture
def production_url(tmp_path: Path) -> str:
    """A store of its own: production needs a secret of its own, which the session's signing
    keys are not sealed with."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'production.db'}"
    upgrade(url)
    return url


def _production(url: str, **settings: object) -> FastAPI:
    return create_app(
        make_settings(url, env="production", **settings),
        auth=make_auth(env="production", secret="a-production-secret-for-tests"),
    )


async def test_metrics_are_closed_in_production_without_a_token(production_url: str) -> None:
    app = _production(production_url)
    async with _serving(app) as http:
        refused = await http.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        guessed = await http.get("/metrics", headers={"Authorization": "Bearer "})
        assert guessed.status_code == 401


async def test_metrics_need_the_token_in_production(production_url: str) -> None:
    app = _production(production_url, metrics_token="scrape-me")
    async with _serving(app) as http:
        assert (await http.get("/metrics")).status_code == 401
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert right.status_code == 200
        assert "renkei_http_requests_total" in right.text


async def test_metrics_stay_open_in_development_without_a_token(database_url: str) -> None:
    app = create_app(make_settings(database_url), auth=make_auth(audit_enabled=False))
    async with _serving(app) as http:
        assert (await http.get("/metrics")).status_code == 200
