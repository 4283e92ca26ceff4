"""POST /temporal/entityOperations/query: a Query in the body (the entities' one parser) with
its temporalQ member; lastN, options and paging stay query parameters."""

from typing import Any

import httpx
from fastapi import FastAPI

from tests.auth.helpers import bearer
from tests.broker.entities.helpers import assert_problem, create, headers, people_flow
from tests.broker.temporal.helpers import HOURS, count_at, sensor_with_counts, values

QUERY = "/ngsi-ld/v1/temporal/entityOperations/query"
STATION = "urn:ngsi-ld:CrowdFlowObserved:yokohama-station-"
AFTER_TEN = {"timerel": "after", "timeAt": "2026-11-22T10:00:00Z"}


async def _sensors(client: httpx.AsyncClient, tenant: str | None = None) -> None:
    for n, base in ((1, 0), (2, 100)):
        counts = [(base + value, at) for value, at in HOURS]
        await sensor_with_counts(client, counts, entity_id=f"{STATION}{n}", tenant=tenant)
    building = {"id": "urn:ngsi-ld:Building:hall", "type": "Building"}
    await create(client, building | {"peopleCount": count_at(5, HOURS[0][1])}, tenant=tenant)


def query(**members: Any) -> dict[str, Any]:
    return {"type": "Query", **members}


async def _post(
    client: httpx.AsyncClient, body: dict[str, Any], *, status: int = 200, **params: str
) -> httpx.Response:
    response = await client.post(QUERY, json=body, params=params, headers=headers())
    assert response.status_code == status, response.text
    return response


async def test_post_query_selects_entities_and_their_interval(client: httpx.AsyncClient) -> None:
    await _sensors(client)
    body = query(entities=[{"type": "CrowdFlowObserved"}], temporalQ=AFTER_TEN)
    found = {e["id"]: values(e) for e in (await _post(client, body)).json()}
    assert found == {f"{STATION}1": [20, 30], f"{STATION}2": [120, 130]}


async def test_post_query_takes_attrs_and_q_from_the_body(client: httpx.AsyncClient) -> None:
    await _sensors(client)
    body = query(attrs=["peopleCount"], q="peopleCount>100")
    entities = (await _post(client, body, lastN="1")).json()
    assert [(e["id"], values(e)) for e in entities] == [(f"{STATION}2", [130])]
    assert set(entities[0]) == {"id", "type", "peopleCount"}


async def test_post_query_aggregates(client: httpx.AsyncClient) -> None:
    await _sensors(client)
    body = query(entities=[{"id": f"{STATION}1", "type": "CrowdFlowObserved"}])
    response = await _post(client, body, options="aggregatedValues", aggrMethods="sum")
    assert response.json()[0]["peopleCount"]["sum"][0][0] == 60


async def test_post_query_refuses_bad_bodies_and_conflicts(client: httpx.AsyncClient) -> None:
    await _sensors(client)
    entities = [{"type": "CrowdFlowObserved"}]
    for body, params in (
        ({"type": "Subscription", "entities": entities}, {}),
        (query(entities=entities, temporalQ={"timerel": "after"}), {}),
        (query(entities=entities, temporalQ={"timerel": "soon", "timeAt": HOURS[0][1]}), {}),
        (query(entities=entities, temporalQ="after"), {}),
        (query(entities=entities, temporalQ=AFTER_TEN), AFTER_TEN),
        (query(), {}),
    ):
        response = await client.post(QUERY, json=body, params=params, headers=headers())
        assert_problem(response, 400, "BadRequestData")


async def test_post_query_stays_in_the_tenant(client: httpx.AsyncClient) -> None:
    await _sensors(client, tenant="yokohama")
    body = query(entities=[{"type": "CrowdFlowObserved"}])
    response = await client.post(QUERY, json=body, headers=headers("kawasaki"))
    assert response.status_code == 200 and response.json() == []


async def test_post_query_needs_a_token_and_the_read_scope(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    body = query(entities=[{"type": "CrowdFlowObserved"}])
    assert_problem(await anonymous.post(QUERY, json=body, headers=headers()), 401, "Unauthorized")
    auth = await bearer(anonymous, app, scopes=["ngsi-ld:subscribe"])
    response = await anonymous.post(QUERY, json=body, headers=headers() | auth)
    assert_problem(response, 403, "Forbidden")


async def test_post_query_of_entities_keeps_working(client: httpx.AsyncClient) -> None:
    await create(client, people_flow())
    body = query(entities=[{"type": "CrowdFlowObserved"}], attrs=["peopleCount"])
    response = await client.post("/ngsi-ld/v1/entityOperations/query", json=body, headers=headers())
    assert response.status_code == 200, response.text
    assert set(response.json()[0]) == {"id", "type", "peopleCount"}
