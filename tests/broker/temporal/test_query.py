"""6.19.3.1 Query Temporal Evolution of Entities: entities picked by id, idPattern, type, attrs
and q on their current state, a page at a time, each with its history."""

import httpx
import pytest

from broker.temporal import service
from tests.broker.entities.helpers import assert_problem, create, headers, people_flow
from tests.broker.temporal.helpers import HOURS, TEMPORAL, count_at, sensor_with_counts, values

STATION = "urn:ngsi-ld:CrowdFlowObserved:yokohama-station-"


async def _sensors(client: httpx.AsyncClient) -> None:
    for n, base in ((1, 0), (2, 100), (3, 200)):
        counts = [(base + value, at) for value, at in HOURS]
        await sensor_with_counts(client, counts, entity_id=f"{STATION}{n}")
    building = {
        "id": "urn:ngsi-ld:Building:hall",
        "type": "Building",
        "peopleCount": count_at(5, "2026-11-22T09:30:00Z"),
    }
    await create(client, building)


async def _query(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    response = await client.get(TEMPORAL, params=params, headers=headers())
    assert response.status_code == 200, response.text
    return response


async def test_query_by_type_returns_each_entity_with_its_history(
    client: httpx.AsyncClient,
) -> None:
    await _sensors(client)
    response = await _query(
        client, type="CrowdFlowObserved", timerel="after", timeAt="2026-11-22T10:00:00Z"
    )
    found = {e["id"]: values(e) for e in response.json()}
    assert found == {
        f"{STATION}1": [20, 30],
        f"{STATION}2": [120, 130],
        f"{STATION}3": [220, 230],
    }


async def test_query_by_id_pattern_and_q_and_last_n(client: httpx.AsyncClient) -> None:
    await _sensors(client)
    response = await _query(client, idPattern="station-[12]$", q="peopleCount>100", lastN="1")
    assert [(e["id"], values(e)) for e in response.json()] == [(f"{STATION}2", [130])]


async def test_query_by_attrs_selects_entities_with_the_attribute(
    client: httpx.AsyncClient,
) -> None:
    await _sensors(client)
    response = await _query(client, attrs="peopleCount", options="temporalValues", lastN="1")
    body = response.json()
    assert [e["id"] for e in body] == [
        "urn:ngsi-ld:Building:hall",
        f"{STATION}1",
        f"{STATION}2",
        f"{STATION}3",
    ]
    assert all(sorted(e) == ["id", "peopleCount", "type"] for e in body)
    assert body[0]["peopleCount"]["values"] == [[5, "2026-11-22T09:30:00Z"]]


async def test_query_pages_entities_with_limit_offset_and_count(
    client: httpx.AsyncClient,
) -> None:
    await _sensors(client)
    response = await _query(client, type="CrowdFlowObserved", limit="2", offset="1", count="true")
    assert [e["id"] for e in response.json()] == [f"{STATION}2", f"{STATION}3"]
    assert response.headers["NGSILD-Results-Count"] == "3"
    assert 'rel="prev"' in response.headers["link"]


async def test_query_without_any_selection_is_bad_request_data(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(TEMPORAL, params={"lastN": "1"}, headers=headers())
    assert_problem(response, 400, "BadRequestData")


async def test_history_past_the_instance_cap_is_partial_content(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_INSTANCES", 2)
    await sensor_with_counts(client, HOURS)
    response = await client.get(
        f"{TEMPORAL}/{people_flow()['id']}", params={"attrs": "peopleCount"}, headers=headers()
    )
    assert response.status_code == 206, response.text
    assert values(response.json()) == [10, 20]
    assert response.headers["Content-Range"] == (
        "date-time 2026-11-22T09:00:00.000000Z-2026-11-22T10:00:00.000000Z/*"
    )
    whole = await client.get(
        f"{TEMPORAL}/{people_flow()['id']}", params={"lastN": "2"}, headers=headers()
    )
    assert whole.status_code == 200
    assert "Content-Range" not in whole.headers
