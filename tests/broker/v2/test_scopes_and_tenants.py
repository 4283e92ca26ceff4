"""Fiware-Service is the tenant, Fiware-ServicePath the entity's scope; declared auth as on LD."""

import httpx
import pytest
from fastapi import FastAPI

from auth import scopes
from tests.auth.helpers import bearer
from tests.broker.v2.helpers import assert_orion_error, create, fiware, room


async def test_service_path_isolates_and_hash_reads_a_subtree(client: httpx.AsyncClient) -> None:
    await create(client, room("A1"), **fiware(path="/kanagawa/yokohama"))
    await create(client, room("A2"), **fiware(path="/kanagawa/kawasaki"))
    await create(client, room("B1"), **fiware(path="/tokyo"))

    async def seen(path: str) -> list[str]:
        response = await client.get("/v2/entities", headers=fiware(path=path))
        return sorted(e["id"] for e in response.json())

    assert await seen("/kanagawa/yokohama") == ["A1"]
    assert await seen("/kanagawa/#") == ["A1", "A2"]
    assert await seen("/tokyo,/kanagawa/kawasaki") == ["A2", "B1"]
    assert await seen("/#") == ["A1", "A2", "B1"]
    other = await client.get("/v2/entities/A1", headers=fiware(path="/tokyo"))
    assert_orion_error(other, 404, "NotFound")
    deleted = await client.delete("/v2/entities/A1", headers=fiware(path="/tokyo"))
    assert_orion_error(deleted, 404, "NotFound")


async def test_service_path_is_the_ld_scope(client: httpx.AsyncClient) -> None:
    await create(client, room("A1"), **fiware(path="/kanagawa/yokohama"))
    ld = await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Room:A1")
    assert ld.json()["scope"] == "/kanagawa/yokohama"


@pytest.mark.parametrize("path", ["kanagawa", "/a b", "/a/#/b", "/a//b"])
async def test_bad_service_path_is_bad_request(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get("/v2/entities", headers=fiware(path=path))
    assert_orion_error(response, 400, "BadRequest")


async def test_fiware_service_is_the_ld_tenant(client: httpx.AsyncClient) -> None:
    await create(client, room(), **fiware("yokohama"))
    assert_orion_error(await client.get("/v2/entities/Room1"), 404, "NotFound")
    other = await client.get("/v2/entities/Room1", headers=fiware("kawasaki"))
    assert_orion_error(other, 404, "NotFound")
    assert (await client.get("/v2/entities/Room1", headers=fiware("yokohama"))).status_code == 200
    ld = await client.get(
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Room:Room1", headers={"NGSILD-Tenant": "yokohama"}
    )
    assert ld.status_code == 200


async def test_unknown_service_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/entities", headers=fiware("nowhere"))
    assert_orion_error(response, 404, "NotFound")


ROUTES = [
    ("GET", "/v2/entities", None),
    ("POST", "/v2/entities", room()),
    ("GET", "/v2/entities/Room1", None),
    ("DELETE", "/v2/entities/Room1", None),
    ("GET", "/v2/entities/Room1/attrs", None),
    ("POST", "/v2/entities/Room1/attrs", {"a": {"value": 1}}),
    ("PATCH", "/v2/entities/Room1/attrs", {"temperature": {"value": 1}}),
    ("PUT", "/v2/entities/Room1/attrs", {"a": {"value": 1}}),
    ("GET", "/v2/entities/Room1/attrs/temperature", None),
    ("PUT", "/v2/entities/Room1/attrs/temperature", {"value": 1}),
    ("DELETE", "/v2/entities/Room1/attrs/temperature", None),
    ("GET", "/v2/entities/Room1/attrs/temperature/value", None),
    ("PUT", "/v2/entities/Room1/attrs/temperature/value", 2),
    ("POST", "/v2/op/update", {"actionType": "append", "entities": [room("Room9")]}),
    ("POST", "/v2/op/query", {"entities": [{"idPattern": ".*"}]}),
]
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
async def test_every_route_needs_a_token(
    anonymous: httpx.AsyncClient, method: str, url: str, body: object
) -> None:
    response = await anonymous.request(method, url, json=body)
    assert_orion_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
async def test_every_route_needs_its_scope(
    app: FastAPI, client: httpx.AsyncClient, method: str, url: str, body: object
) -> None:
    needed = scopes.WRITE if method in WRITES and "op/query" not in url else scopes.READ
    others = sorted(s for s in scopes.SCOPES if s not in (needed, scopes.WRITE, "admin"))
    auth = await bearer(client, app, scopes=others)
    response = await client.request(method, url, json=body, headers=auth)
    assert_orion_error(response, 403, "Forbidden")


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
async def test_every_route_refuses_a_tenant_not_granted(
    app: FastAPI, client: httpx.AsyncClient, method: str, url: str, body: object
) -> None:
    await create(client, room(), **fiware("kawasaki"))
    auth = await bearer(client, app, tenants=["yokohama"])
    response = await client.request(method, url, json=body, headers=auth | fiware("kawasaki"))
    assert_orion_error(response, 403, "Forbidden")
    assert (await client.get("/v2/entities/Room1", headers=fiware("kawasaki"))).status_code == 200
