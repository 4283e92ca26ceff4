"""Who may read history: ngsi-ld:read, the caller's tenant only, the entity types granted."""

import httpx
from fastapi import FastAPI

from tests.auth.helpers import bearer
from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, assert_problem, create, headers
from tests.broker.temporal.helpers import HOURS, TEMPORAL, count_at, history, sensor_with_counts

HIDDEN = "urn:ngsi-ld:Building:hall"


async def test_history_of_another_tenant_is_not_found(client: httpx.AsyncClient) -> None:
    await sensor_with_counts(client, HOURS, tenant="yokohama")
    assert len((await history(client, tenant="yokohama"))["peopleCount"]) == 3
    response = await client.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers("kawasaki"))
    assert_problem(response, 404, "ResourceNotFound")
    query = await client.get(
        TEMPORAL, params={"type": "CrowdFlowObserved"}, headers=headers("kawasaki")
    )
    assert query.status_code == 200 and query.json() == []


async def test_deleted_entity_history_stays_in_its_tenant(client: httpx.AsyncClient) -> None:
    await sensor_with_counts(client, HOURS, tenant="yokohama")
    await client.delete(f"{ENTITIES}/{SENSOR_ID}", headers=headers("yokohama"))
    response = await client.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers("kawasaki"))
    assert_problem(response, 404, "ResourceNotFound")


async def test_history_needs_a_token(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers())
    assert_problem(response, 401, "Unauthorized")
    assert_problem(await anonymous.get(TEMPORAL, params={"type": "T"}), 401, "Unauthorized")


async def test_history_needs_the_read_scope(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client)
    auth = await bearer(anonymous, app, scopes=["ngsi-ld:subscribe"])
    response = await anonymous.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers() | auth)
    assert_problem(response, 403, "Forbidden")


async def test_type_restricted_grant_sees_history_of_its_types_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await sensor_with_counts(client, HOURS)
    building = {"id": HIDDEN, "type": "Building", "peopleCount": count_at(5, HOURS[0][1])}
    await create(client, building)
    auth = await bearer(anonymous, app, scopes=["ngsi-ld:read"], entity_types=["CrowdFlowObserved"])
    seen = await anonymous.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers() | auth)
    assert seen.status_code == 200, seen.text
    hidden = await anonymous.get(f"{TEMPORAL}/{HIDDEN}", headers=headers() | auth)
    assert_problem(hidden, 404, "ResourceNotFound")
    query = await anonymous.get(TEMPORAL, params={"attrs": "peopleCount"}, headers=headers() | auth)
    assert [e["id"] for e in query.json()] == [SENSOR_ID]
    await client.delete(f"{ENTITIES}/{HIDDEN}", headers=headers())
    deleted = await anonymous.get(f"{TEMPORAL}/{HIDDEN}", headers=headers() | auth)
    assert_problem(deleted, 404, "ResourceNotFound")
