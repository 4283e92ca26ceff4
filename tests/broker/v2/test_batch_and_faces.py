"""POST /v2/op/update, and writes through one face read through the other."""

from typing import Any

import httpx

from tests.broker.v2.helpers import JSON, assert_orion_error, create, room

LD = {"Content-Type": "application/json"}


async def op(client: httpx.AsyncClient, action: str, *entities: Any) -> httpx.Response:
    body = {"actionType": action, "entities": list(entities)}
    return await client.post("/v2/op/update", json=body, headers=JSON)


async def kv(client: httpx.AsyncClient, entity_id: str) -> object:
    return (await client.get(f"/v2/entities/{entity_id}?options=keyValues")).json()


async def test_append_creates_or_adds(client: httpx.AsyncClient) -> None:
    assert (await op(client, "append", room("R1"), room("R2"))).status_code == 204
    more = {"id": "R1", "type": "Room", "humidity": {"value": 40}}
    assert (await op(client, "append", more)).status_code == 204
    assert (await kv(client, "R1")) == {
        "id": "R1", "type": "Room", "temperature": 23.5, "pressure": 720, "humidity": 40,
    }  # fmt: skip


async def test_append_strict_refuses_existing_attributes(client: httpx.AsyncClient) -> None:
    await create(client, room("R1"))
    assert_orion_error(await op(client, "appendStrict", room("R1")), 422, "Unprocessable")


async def test_update_needs_the_entity_and_its_attributes(client: httpx.AsyncClient) -> None:
    await create(client, room("R1"))
    change = {"id": "R1", "type": "Room", "temperature": {"value": 1}}
    assert (await op(client, "update", change)).status_code == 204
    assert (await kv(client, "R1"))["temperature"] == 1  # type: ignore[index]
    assert_orion_error(await op(client, "update", room("R9")), 404, "NotFound")


async def test_replace_and_delete(client: httpx.AsyncClient) -> None:
    await create(client, room("R1"))
    await create(client, room("R2"))
    replaced = {"id": "R1", "type": "Room", "only": {"value": 1}}
    assert (await op(client, "replace", replaced)).status_code == 204
    assert (await kv(client, "R1")) == {"id": "R1", "type": "Room", "only": 1}
    attr = {"id": "R2", "type": "Room", "pressure": {}}
    assert (await op(client, "delete", attr)).status_code == 204
    assert "pressure" not in (await kv(client, "R2"))  # type: ignore[operator]
    assert (await op(client, "delete", {"id": "R1", "type": "Room"})).status_code == 204
    assert_orion_error(await client.get("/v2/entities/R1"), 404, "NotFound")


async def test_a_failed_batch_changes_nothing(client: httpx.AsyncClient) -> None:
    response = await op(client, "append", room("R1"), {"id": "R2", "type": "Room", "a(b)": 1})
    assert_orion_error(response, 400, "BadRequest")
    assert_orion_error(await client.get("/v2/entities/R1"), 404, "NotFound")


async def test_bad_action_type(client: httpx.AsyncClient) -> None:
    assert_orion_error(await op(client, "upsert", room()), 400, "BadRequest")


async def test_v2_write_reads_through_ngsi_ld(client: httpx.AsyncClient) -> None:
    attr = {
        "type": "Number",
        "value": 3,
        "metadata": {"TimeInstant": {"type": "DateTime", "value": "2026-11-22T09:00:00Z"}},
    }
    await create(
        client,
        {
            "id": "S1",
            "type": "Sensor",
            "count": attr,
            "location": {"type": "geo:point", "value": "35.46, 139.62"},
            "refBuilding": {"type": "Text", "value": "B1"},
        },
    )
    ld = (await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:S1")).json()
    assert ld["count"]["value"] == 3
    assert ld["count"]["observedAt"].startswith("2026-11-22T09:00:00")
    assert ld["location"]["value"] == {"type": "Point", "coordinates": [139.62, 35.46]}
    assert ld["refBuilding"] == {"type": "Relationship", "object": "urn:ngsi-ld:Building:B1"}


async def test_ld_write_reads_through_v2(client: httpx.AsyncClient) -> None:
    entity = {
        "id": "urn:ngsi-ld:Room:R7",
        "type": "Room",
        "temperature": {"type": "Property", "value": 21, "unitCode": "CEL"},
    }
    assert (await client.post("/ngsi-ld/v1/entities", json=entity, headers=LD)).status_code == 201
    assert (await client.get("/v2/entities/R7?type=Room")).json() == {
        "id": "R7",
        "type": "Room",
        "temperature": {
            "type": "Number",
            "value": 21,
            "metadata": {"unitCode": {"type": "Text", "value": "CEL"}},
        },
    }
    patch = {"temperature": {"value": 22}}
    assert (
        await client.patch("/v2/entities/R7/attrs", json=patch, headers=JSON)
    ).status_code == 204
    ld = (await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Room:R7")).json()
    assert ld["temperature"]["value"] == 22
