"""Tenant isolation: nothing of tenant A is visible, changeable or deletable through tenant B."""

from typing import Any

import httpx
import pytest

from tests.broker.entities.helpers import (
    ENTITIES,
    SENSOR_ID,
    assert_problem,
    create,
    fetch,
    headers,
    people_flow,
)

ENTITY = f"{ENTITIES}/{SENSOR_ID}"
ATTRS = f"{ENTITY}/attrs"

# Every entity route of this API, as tenant B would call it on tenant A's entity.
ROUTES: dict[str, tuple[str, str, Any]] = {
    "retrieve": ("GET", ENTITY, None),
    "replace": ("PUT", ENTITY, {"type": "CrowdFlowObserved", "peopleCount": 0}),
    "merge": ("PATCH", ENTITY, {"peopleCount": 0}),
    "delete": ("DELETE", ENTITY, None),
    "append": ("POST", ATTRS, {"peopleCount": 0}),
    "update": ("PATCH", ATTRS, {"peopleCount": 0}),
    "partial update": ("PATCH", f"{ATTRS}/peopleCount", {"value": 0}),
    "replace attribute": ("PUT", f"{ATTRS}/peopleCount", {"type": "Property", "value": 0}),
    "delete attribute": ("DELETE", f"{ATTRS}/peopleCount", None),
}


@pytest.mark.parametrize(("method", "url", "body"), ROUTES.values(), ids=ROUTES.keys())
async def test_other_tenant_cannot_reach_the_entity(
    client: httpx.AsyncClient, method: str, url: str, body: Any
) -> None:
    await create(client, tenant="yokohama")
    await create(client, people_flow("urn:ngsi-ld:CrowdFlowObserved:kawasaki-1"), tenant="kawasaki")
    response = await client.request(method, url, json=body, headers=headers("kawasaki"))
    assert_problem(response, 404, "ResourceNotFound")
    assert await fetch(client, tenant="yokohama") == people_flow()


async def test_same_entity_id_lives_separately_in_two_tenants(client: httpx.AsyncClient) -> None:
    await create(client, tenant="yokohama")
    await create(client, people_flow(peopleCount=7), tenant="kawasaki")
    assert (await fetch(client, tenant="yokohama"))["peopleCount"]["value"] == 120
    assert (await fetch(client, tenant="kawasaki"))["peopleCount"]["value"] == 7
    await client.delete(ENTITY, headers=headers("kawasaki"))
    assert (await fetch(client, tenant="yokohama"))["peopleCount"]["value"] == 120


async def test_default_tenant_does_not_see_named_tenants(client: httpx.AsyncClient) -> None:
    await create(client, tenant="yokohama")
    assert_problem(await client.get(ENTITY), 404, "ResourceNotFound")


async def test_unknown_tenant_is_nonexistent_tenant(client: httpx.AsyncClient) -> None:
    response = await client.get(ENTITY, headers=headers("nowhere"))
    assert_problem(response, 404, "NonexistentTenant")
    response = await client.patch(ATTRS, json={"a": 1}, headers=headers("nowhere"))
    assert_problem(response, 404, "NonexistentTenant")


@pytest.mark.parametrize("tenant", ["a b", "x" * 65, "横浜", "../etc"])
async def test_invalid_tenant_name_is_bad_request(client: httpx.AsyncClient, tenant: str) -> None:
    raw = {"Content-Type": b"application/json", "NGSILD-Tenant": tenant.encode()}
    response = await client.post(ENTITIES, json=people_flow(), headers=raw)
    assert_problem(response, 400, "BadRequestData")
