"""Health probes, request ids, and problem details for routing errors and unexpected failures."""

import asyncio

import httpx
from fastapi import FastAPI

from tests.broker.entities.helpers import ENTITIES, assert_problem, create, fetch, headers


async def test_health_is_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_every_response_has_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert len(response.headers["x-request-id"]) == 32
    given = await client.get("/health", headers={"X-Request-Id": "trace-123"})
    assert given.headers["x-request-id"] == "trace-123"


async def test_unknown_route_is_problem_details(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/ngsi-ld/v1/nothing"), 404, "ResourceNotFound")


async def test_wrong_method_is_problem_details(client: httpx.AsyncClient) -> None:
    response = await client.delete(ENTITIES)
    assert_problem(response, 405, "InvalidRequest")


async def test_unexpected_error_is_internal_error_with_request_id(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-explode", explode)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/test-explode", headers={"X-Request-Id": "req-42"})
    finally:
        app.router.routes.pop()
    body = assert_problem(response, 500, "InternalError")
    assert "req-42" in body["detail"]
    assert "boom" not in body["detail"]


async def test_concurrent_writes_to_one_entity_lose_nothing(client: httpx.AsyncClient) -> None:
    await create(client)
    url = f"{ENTITIES}/urn:ngsi-ld:CrowdFlowObserved:yokohama-station-1/attrs"
    responses = await asyncio.gather(
        *(client.post(url, json={f"zone{n}": n}, headers=headers()) for n in range(20))
    )
    assert [r.status_code for r in responses] == [204] * 20
    entity = await fetch(client)
    assert {f"zone{n}" for n in range(20)} <= set(entity)


async def test_ready_is_503_when_the_database_is_unreachable() -> None:
    from asgi_lifespan import LifespanManager

    from broker.core.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/health")).status_code == 200
            response = await client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


async def test_internal_error_response_carries_the_request_id_header(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-explode-header", explode)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/test-explode-header", headers={"X-Request-Id": "r-500"})
    finally:
        app.router.routes.pop()
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "r-500"
