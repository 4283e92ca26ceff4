"""What a client may reach: its tenants, the shared tenant, sharing grants, its entity types."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from broker.core.app import create_app
from tests.auth.helpers import bearer
from tests.broker.entities.helpers import (
    ENTITIES,
    SENSOR_ID,
    assert_problem,
    create,
    headers,
    people_flow,
)
from tests.conftest import make_auth, make_settings

ROAD = {"id": "urn:ngsi-ld:RoadSegment:1", "type": "RoadSegment", "name": "Route 1"}
READ_WRITE = ["ngsi-ld:read", "ngsi-ld:write"]


def _as(auth: dict[str, str], tenant: str | None = None) -> dict[str, str]:
    return {**headers(tenant), **auth}


async def test_a_client_acts_only_in_its_tenants(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, tenant="kawasaki")
    yokohama = await bearer(anonymous, app, scopes=READ_WRITE, tenants=["yokohama"])
    assert (
        await anonymous.post(ENTITIES, json=people_flow(), headers=_as(yokohama, "yokohama"))
    ).status_code == 201
    for method, body in (("GET", None), ("PATCH", {"peopleCount": 1}), ("DELETE", None)):
        response = await anonymous.request(
            method, f"{ENTITIES}/{SENSOR_ID}", json=body, headers=_as(yokohama, "kawasaki")
        )
        assert_problem(response, 403, "Forbidden")
    # No header is the default tenant, which this client is not a member of either.
    response = await anonymous.get(f"{ENTITIES}/{SENSOR_ID}", headers=yokohama)
    assert_problem(response, 403, "Forbidden")
    kawasaki = (await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("kawasaki"))).json()
    assert kawasaki["peopleCount"]["value"] == 120


async def test_an_unregistered_tenant_is_nonexistent_not_created(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, json=people_flow(), headers=headers("nagoya"))
    assert_problem(response, 404, "NonexistentTenant")
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("nagoya"))
    assert_problem(response, 404, "NonexistentTenant")


async def test_an_unregistered_tenant_is_403_to_non_members(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    yokohama = await bearer(anonymous, app, scopes=READ_WRITE, tenants=["yokohama"])
    response = await anonymous.get(f"{ENTITIES}/{SENSOR_ID}", headers=_as(yokohama, "nagoya"))
    assert_problem(response, 403, "Forbidden")


async def test_a_deactivated_tenant_is_closed(client: httpx.AsyncClient) -> None:
    await create(client, tenant="sagamihara")
    response = await client.patch("/admin/v1/tenants/sagamihara", json={"active": False})
    assert response.status_code == 200, response.text
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("sagamihara"))
    assert_problem(response, 403, "Forbidden")
    await client.patch("/admin/v1/tenants/sagamihara", json={"active": True})
    assert (
        await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("sagamihara"))
    ).status_code == 200


async def test_every_client_reads_the_shared_tenant_and_only_members_write_it(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, tenant="shared")
    yokohama = await bearer(anonymous, app, scopes=READ_WRITE, tenants=["yokohama"])
    response = await anonymous.get(f"{ENTITIES}/{SENSOR_ID}", headers=_as(yokohama, "shared"))
    assert response.status_code == 200, response.text
    response = await anonymous.patch(
        f"{ENTITIES}/{SENSOR_ID}/attrs", json={"peopleCount": 1}, headers=_as(yokohama, "shared")
    )
    assert_problem(response, 403, "Forbidden")


async def test_entity_type_restriction_limits_what_a_client_sees_and_writes(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, tenant="yokohama")
    await create(client, ROAD, tenant="yokohama")
    crowd = await bearer(
        anonymous, app, scopes=READ_WRITE, tenants=["yokohama"], entity_types=["CrowdFlowObserved"]
    )
    found = await anonymous.get(
        ENTITIES, params={"type": "CrowdFlowObserved,RoadSegment"}, headers=_as(crowd, "yokohama")
    )
    assert [e["id"] for e in found.json()] == [SENSOR_ID]
    response = await anonymous.get(f"{ENTITIES}/{ROAD['id']}", headers=_as(crowd, "yokohama"))
    assert_problem(response, 404, "ResourceNotFound")
    response = await anonymous.delete(f"{ENTITIES}/{ROAD['id']}", headers=_as(crowd, "yokohama"))
    assert_problem(response, 404, "ResourceNotFound")
    other = {**ROAD, "id": "urn:ngsi-ld:RoadSegment:2"}
    response = await anonymous.post(ENTITIES, json=other, headers=_as(crowd, "yokohama"))
    assert_problem(response, 403, "Forbidden")
    types = await anonymous.get("/ngsi-ld/v1/types", headers=_as(crowd, "yokohama"))
    assert types.json()["typeList"] == ["CrowdFlowObserved"]
    batch = await anonymous.post(
        "/ngsi-ld/v1/entityOperations/create",
        json=[people_flow("urn:ngsi-ld:CrowdFlowObserved:2"), other],
        headers=_as(crowd, "yokohama"),
    )
    assert batch.status_code == 207, batch.text
    assert batch.json()["success"] == ["urn:ngsi-ld:CrowdFlowObserved:2"]
    assert batch.json()["errors"][0]["error"]["status"] == 403
    assert (
        await client.get(f"{ENTITIES}/{ROAD['id']}", headers=headers("yokohama"))
    ).status_code == 200


async def _grant(client: httpx.AsyncClient, tenant: str, **body: object) -> str:
    response = await client.post(f"/admin/v1/tenants/{tenant}/grants", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_sharing_grant_lets_another_tenant_read_the_granted_types(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, tenant="kawasaki")
    await create(client, ROAD, tenant="kawasaki")
    yokohama = await bearer(anonymous, app, scopes=READ_WRITE, tenants=["yokohama"])
    url = f"{ENTITIES}/{SENSOR_ID}"
    assert_problem(await anonymous.get(url, headers=_as(yokohama, "kawasaki")), 403, "Forbidden")
    grant = await _grant(
        client, "kawasaki", granteeTenant="yokohama", entityTypes=["CrowdFlowObserved"]
    )
    assert (await anonymous.get(url, headers=_as(yokohama, "kawasaki"))).status_code == 200
    query = await anonymous.get(
        ENTITIES,
        params={"type": "CrowdFlowObserved,RoadSegment"},
        headers=_as(yokohama, "kawasaki"),
    )
    assert [e["id"] for e in query.json()] == [SENSOR_ID]
    response = await anonymous.patch(
        f"{url}/attrs", json={"peopleCount": 0}, headers=_as(yokohama, "kawasaki")
    )
    assert_problem(response, 403, "Forbidden")
    assert (await client.delete(f"/admin/v1/tenants/kawasaki/grants/{grant}")).status_code == 204
    assert_problem(await anonymous.get(url, headers=_as(yokohama, "kawasaki")), 403, "Forbidden")


async def test_a_grant_to_one_client_is_for_that_client_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    from tests.auth.helpers import get_token, make_client

    await create(client, tenant="kawasaki")
    chosen_id, chosen_secret = await make_client(app, scopes=["ngsi-ld:read"], tenants=["yokohama"])
    other = await bearer(anonymous, app, scopes=["ngsi-ld:read"], tenants=["yokohama"])
    await _grant(client, "kawasaki", granteeClient=chosen_id, entityTypes=["CrowdFlowObserved"])
    chosen = {"Authorization": f"Bearer {await get_token(anonymous, chosen_id, chosen_secret)}"}
    url = f"{ENTITIES}/{SENSOR_ID}"
    assert (await anonymous.get(url, headers=_as(chosen, "kawasaki"))).status_code == 200
    assert_problem(await anonymous.get(url, headers=_as(other, "kawasaki")), 403, "Forbidden")


@pytest.fixture
async def open_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url), auth=make_auth(auth_disabled=True))
    async with LifespanManager(application):
        yield application


async def test_with_auth_disabled_no_token_is_needed_and_writing_creates_the_tenant(
    open_app: FastAPI, client: httpx.AsyncClient
) -> None:
    transport = httpx.ASGITransport(app=open_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        response = await http.post(ENTITIES, json=people_flow(), headers=headers("hiratsuka"))
        assert response.status_code == 201, response.text
        fetched = await http.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("hiratsuka"))
        assert fetched.status_code == 200
        missing = await http.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("odawara"))
        assert_problem(missing, 404, "NonexistentTenant")
