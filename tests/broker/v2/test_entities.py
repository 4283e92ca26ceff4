"""/v2/entities and its attribute routes, on both stores (NGSI-v2 spec, Orion's behaviour)."""

import httpx

from tests.broker.v2.helpers import JSON, assert_orion_error, create, room


async def test_created_entity_reads_back_as_written(client: httpx.AsyncClient) -> None:
    response = await client.post("/v2/entities", json=room(), headers=JSON)
    assert response.status_code == 201
    assert response.headers["Location"] == "/v2/entities/Room1?type=Room"
    got = await client.get("/v2/entities/Room1")
    assert got.status_code == 200
    assert got.json() == room()


async def test_create_with_key_values(client: httpx.AsyncClient) -> None:
    body = {"id": "R2", "type": "Room", "temperature": 20, "name": "hall"}
    response = await client.post("/v2/entities?options=keyValues", json=body, headers=JSON)
    assert response.status_code == 201
    got = await client.get("/v2/entities/R2?options=keyValues")
    assert got.json() == body
    attrs = (await client.get("/v2/entities/R2")).json()
    assert attrs["name"] == {"type": "Text", "value": "hall", "metadata": {}}


async def test_create_twice_is_unprocessable_already_exists(client: httpx.AsyncClient) -> None:
    await create(client, room())
    response = await client.post("/v2/entities", json=room(), headers=JSON)
    assert_orion_error(response, 422, "Unprocessable")
    assert response.json()["description"] == "Already Exists"


async def test_upsert_appends_to_an_existing_entity(client: httpx.AsyncClient) -> None:
    await create(client, room())
    body = {"id": "Room1", "type": "Room", "humidity": {"type": "Number", "value": 40}}
    response = await client.post("/v2/entities?options=upsert", json=body, headers=JSON)
    assert response.status_code == 204
    got = (await client.get("/v2/entities/Room1?options=keyValues")).json()
    assert got == {
        "id": "Room1",
        "type": "Room",
        "temperature": 23.5,
        "pressure": 720,
        "humidity": 40,
    }


async def test_missing_entity_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/entities/nothing")
    assert_orion_error(response, 404, "NotFound")
    assert response.json()["description"] == (
        "The requested entity has not been found. Check type and id"
    )


async def test_same_id_of_two_types_needs_the_type(client: httpx.AsyncClient) -> None:
    await create(client, room("X"))
    await create(client, {"id": "X", "type": "Car"})
    assert_orion_error(await client.get("/v2/entities/X"), 409, "TooManyResults")
    assert (await client.get("/v2/entities/X?type=Car")).json() == {"id": "X", "type": "Car"}


async def test_bad_json_and_content_type_give_orion_errors(client: httpx.AsyncClient) -> None:
    bad = await client.post("/v2/entities", content=b"{", headers=JSON)
    assert_orion_error(bad, 400, "BadRequest")
    text = await client.post("/v2/entities", content=b"{}", headers={"Content-Type": "text/plain"})
    assert_orion_error(text, 415, "UnsupportedMediaType")
    forbidden = await client.post("/v2/entities", json={"id": "a(b)", "type": "T"}, headers=JSON)
    assert_orion_error(forbidden, 400, "BadRequest")


async def test_delete_entity(client: httpx.AsyncClient) -> None:
    await create(client, room())
    assert (await client.delete("/v2/entities/Room1")).status_code == 204
    assert_orion_error(await client.get("/v2/entities/Room1"), 404, "NotFound")
    assert_orion_error(await client.delete("/v2/entities/Room1"), 404, "NotFound")


async def test_append_update_and_replace_attributes(client: httpx.AsyncClient) -> None:
    await create(client, room())
    new = {"humidity": {"type": "Number", "value": 40}}
    assert (
        await client.post("/v2/entities/Room1/attrs", json=new, headers=JSON)
    ).status_code == 204
    strict = await client.post("/v2/entities/Room1/attrs?options=append", json=new, headers=JSON)
    assert_orion_error(strict, 422, "Unprocessable")
    patch = {"temperature": {"type": "Number", "value": 30}}
    assert (
        await client.patch("/v2/entities/Room1/attrs", json=patch, headers=JSON)
    ).status_code == 204
    missing = await client.patch(
        "/v2/entities/Room1/attrs", json={"nope": {"value": 1}}, headers=JSON
    )
    assert_orion_error(missing, 422, "Unprocessable")
    got = (await client.get("/v2/entities/Room1/attrs?options=keyValues")).json()
    assert got == {"temperature": 30, "pressure": 720, "humidity": 40}
    put = await client.put("/v2/entities/Room1/attrs", json={"only": {"value": "x"}}, headers=JSON)
    assert put.status_code == 204
    assert (await client.get("/v2/entities/Room1?options=keyValues")).json() == {
        "id": "Room1",
        "type": "Room",
        "only": "x",
    }


async def test_single_attribute_and_its_value(client: httpx.AsyncClient) -> None:
    await create(client, room())
    attr = await client.get("/v2/entities/Room1/attrs/temperature")
    assert attr.json() == {"type": "Number", "value": 23.5, "metadata": {}}
    value = await client.get("/v2/entities/Room1/attrs/temperature/value")
    assert value.headers["content-type"].startswith("text/plain") and value.text == "23.5"
    put = await client.put(
        "/v2/entities/Room1/attrs/temperature/value",
        content=b"25",
        headers={"Content-Type": "text/plain"},
    )
    assert put.status_code == 204
    assert (await client.get("/v2/entities/Room1/attrs/temperature")).json()["value"] == 25
    replaced = await client.put(
        "/v2/entities/Room1/attrs/pressure", json={"type": "Float", "value": 1.5}, headers=JSON
    )
    assert replaced.status_code == 204
    assert (await client.get("/v2/entities/Room1/attrs/pressure")).json()["type"] == "Float"
    assert (await client.delete("/v2/entities/Room1/attrs/pressure")).status_code == 204
    gone = await client.get("/v2/entities/Room1/attrs/pressure")
    assert_orion_error(gone, 404, "NotFound")
    assert gone.json()["description"] == "The entity does not have such attribute"


async def test_metadata_and_time_instant_round_trip(client: httpx.AsyncClient) -> None:
    attr = {
        "type": "Number",
        "value": 3,
        "metadata": {
            "TimeInstant": {"type": "DateTime", "value": "2026-11-22T09:00:00.000000Z"},
            "accuracy": {"type": "Number", "value": 0.5},
        },
    }
    await create(client, {"id": "S1", "type": "Sensor", "count": attr})
    assert (await client.get("/v2/entities/S1/attrs/count")).json() == attr
    only = await client.get("/v2/entities/S1/attrs/count?metadata=accuracy")
    assert list(only.json()["metadata"]) == ["accuracy"]


async def test_correlator_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/v2/entities", headers={"Fiware-Correlator": "abc-1"})
    assert given.headers["Fiware-Correlator"] == "abc-1"
    error = await client.get("/v2/entities/none", headers={"Fiware-Correlator": "abc-2"})
    assert error.headers["Fiware-Correlator"] == "abc-2"
    assert (await client.get("/v2/entities")).headers["Fiware-Correlator"]


async def test_version_is_orion_like(client: httpx.AsyncClient) -> None:
    body = (await client.get("/version")).json()
    assert body["orion"]["version"]


async def test_update_without_type_keeps_the_type_and_merges_metadata(
    client: httpx.AsyncClient,
) -> None:
    accuracy = {"accuracy": {"type": "Number", "value": 0.5}}
    await create(client, room(pressure={"type": "Integer", "value": 720, "metadata": accuracy}))
    patch = {"pressure": {"value": 730, "metadata": {"unit": {"type": "Text", "value": "hPa"}}}}
    response = await client.patch("/v2/entities/Room1/attrs", json=patch, headers=JSON)
    assert response.status_code == 204
    pressure = (await client.get("/v2/entities/Room1/attrs/pressure")).json()
    assert pressure == {
        "type": "Integer",
        "value": 730,
        "metadata": {**accuracy, "unit": {"type": "Text", "value": "hPa"}},
    }
    kv = await client.post(
        "/v2/entities/Room1/attrs?options=keyValues", json={"pressure": 740}, headers=JSON
    )
    assert kv.status_code == 204
    assert (await client.get("/v2/entities/Room1/attrs/pressure")).json()["type"] == "Integer"
