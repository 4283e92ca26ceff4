"""GET /v2/entities filters and forms, and POST /v2/op/query (Orion's query semantics)."""

import httpx
import pytest

from tests.broker.v2.helpers import JSON, assert_orion_error, create


@pytest.fixture
async def rooms(client: httpx.AsyncClient) -> httpx.AsyncClient:
    for n, temp, place in (
        (1, 10, [139.60, 35.40]),
        (2, 20, [139.70, 35.50]),
        (3, 30, [135.5, 34.7]),
    ):
        await create(
            client,
            {
                "id": f"Room{n}",
                "type": "Room",
                "temperature": {"type": "Number", "value": temp},
                "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": place}},
            },
        )
    await create(client, {"id": "Car1", "type": "Car", "speed": {"type": "Number", "value": 50}})
    return client


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(e["id"] for e in response.json())


async def test_list_by_type_id_and_pattern(rooms: httpx.AsyncClient) -> None:
    assert ids(await rooms.get("/v2/entities?type=Room")) == ["Room1", "Room2", "Room3"]
    assert ids(await rooms.get("/v2/entities?id=Room1,Car1")) == ["Car1", "Room1"]
    assert ids(await rooms.get("/v2/entities?idPattern=^Room[12]")) == ["Room1", "Room2"]
    assert ids(await rooms.get("/v2/entities")) == ["Car1", "Room1", "Room2", "Room3"]


async def test_q_and_mq(rooms: httpx.AsyncClient) -> None:
    assert ids(await rooms.get("/v2/entities?q=temperature>15")) == ["Room2", "Room3"]
    assert ids(await rooms.get("/v2/entities?q=temperature==10..20")) == ["Room1", "Room2"]
    assert ids(await rooms.get("/v2/entities?q=speed")) == ["Car1"]
    await rooms.post(
        "/v2/entities",
        json={
            "id": "S1",
            "type": "Sensor",
            "t": {
                "value": 1,
                "metadata": {
                    "accuracy": {"type": "Number", "value": 0.9},
                    "TimeInstant": {"type": "DateTime", "value": "2026-11-22T09:00:00Z"},
                },
            },
        },
        headers=JSON,
    )
    assert ids(await rooms.get("/v2/entities?mq=t.accuracy>0.5")) == ["S1"]
    assert ids(await rooms.get("/v2/entities?mq=t.accuracy<0.5")) == []


async def test_geo_near_with_lat_lon_coords(rooms: httpx.AsyncClient) -> None:
    near = "/v2/entities?georel=near;maxDistance:20000&geometry=point&coords=35.45,139.65"
    assert ids(await rooms.get(near)) == ["Room1", "Room2"]
    box = "/v2/entities?georel=coveredBy&geometry=box&coords=34,135;35,136"
    assert ids(await rooms.get(box)) == ["Room3"]


async def test_count_limit_offset(rooms: httpx.AsyncClient) -> None:
    page = await rooms.get("/v2/entities?type=Room&limit=2&offset=1&options=count")
    assert page.headers["Fiware-Total-Count"] == "3"
    assert len(page.json()) == 2
    assert_orion_error(await rooms.get("/v2/entities?limit=0"), 400, "BadRequest")


async def test_key_values_values_and_unique(rooms: httpx.AsyncClient) -> None:
    kv = await rooms.get("/v2/entities?id=Room1&options=keyValues&attrs=temperature")
    assert kv.json() == [{"id": "Room1", "type": "Room", "temperature": 10}]
    values = await rooms.get("/v2/entities?type=Room&options=values&attrs=temperature")
    assert values.json() == [[10], [20], [30]]
    await rooms.post(
        "/v2/entities",
        json={"id": "Room4", "type": "Room", "temperature": {"value": 10}},
        headers=JSON,
    )
    unique = await rooms.get("/v2/entities?type=Room&options=unique&attrs=temperature")
    assert unique.json() == [[10], [20], [30]]


async def test_unsupported_parameters_are_bad_request(rooms: httpx.AsyncClient) -> None:
    assert_orion_error(await rooms.get("/v2/entities?orderBy=temperature"), 400, "BadRequest")
    assert_orion_error(await rooms.get("/v2/entities?options=nope"), 400, "BadRequest")
    assert_orion_error(await rooms.get("/v2/entities?q=temperature>>"), 400, "BadRequest")


async def test_op_query(rooms: httpx.AsyncClient) -> None:
    body = {
        "entities": [{"idPattern": ".*", "type": "Room"}],
        "attrs": ["temperature"],
        "expression": {"q": "temperature<25"},
    }
    response = await rooms.post("/v2/op/query?options=keyValues", json=body, headers=JSON)
    assert response.json() == [
        {"id": "Room1", "type": "Room", "temperature": 10},
        {"id": "Room2", "type": "Room", "temperature": 20},
    ]
