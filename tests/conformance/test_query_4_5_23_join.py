"""Clause 4.5.23 (V1.8): linked entity retrieval with join=flat|inline|@none and joinLevel.

The spec: with join=flat the entities a Relationship's object names are returned as further
top-level entities of the answer (Retrieve Entity then answers an array); with join=inline each
Relationship carries its target as the `entity` sub-attribute (`entityList` for an object list);
joinLevel (default 1) is how many hops are followed; @none is no join. Scorpio and Stellio
implement both modes this way.
"""

import httpx

from tests.broker.entities.helpers import ENTITIES, headers

BATCH = "/ngsi-ld/v1/entityOperations/create"
QUERY = "/ngsi-ld/v1/entityOperations/query"
PARK = "urn:ngsi-ld:ParkingSpot:a1"
SENSOR = "urn:ngsi-ld:Sensor:s1"
GATEWAY = "urn:ngsi-ld:Gateway:g1"
OTHER = "urn:ngsi-ld:Sensor:s2"


async def _store(client: httpx.AsyncClient) -> None:
    entities = [
        {
            "id": PARK,
            "type": "ParkingSpot",
            "status": {"type": "Property", "value": "free"},
            "observedBy": {"type": "Relationship", "object": SENSOR},
            "nearby": {"type": "Relationship", "object": [SENSOR, OTHER]},
        },
        {
            "id": SENSOR,
            "type": "Sensor",
            "battery": {"type": "Property", "value": 0.8},
            "connectedTo": {"type": "Relationship", "object": GATEWAY},
        },
        {"id": OTHER, "type": "Sensor", "battery": {"type": "Property", "value": 0.5}},
        {"id": GATEWAY, "type": "Gateway", "online": {"type": "Property", "value": True}},
    ]
    response = await client.post(BATCH, json=entities, headers=headers())
    assert response.status_code == 201, response.text


async def _retrieve(client: httpx.AsyncClient, **params: str | int) -> httpx.Response:
    response = await client.get(f"{ENTITIES}/{PARK}", params=params, headers=headers())
    assert response.status_code == 200, response.text
    return response


async def test_4_5_23_retrieve_flat_returns_the_linked_entities_as_an_array(
    client: httpx.AsyncClient,
) -> None:
    await _store(client)
    response = await _retrieve(client, join="flat")
    body = response.json()
    assert isinstance(body, list)
    assert [e["id"] for e in body] == [PARK, SENSOR, OTHER]  # each linked entity once
    assert body[1]["battery"]["value"] == 0.8
    assert GATEWAY not in {e["id"] for e in body}  # joinLevel 1: one hop only


async def test_4_5_23_join_level_follows_more_hops(client: httpx.AsyncClient) -> None:
    await _store(client)
    response = await _retrieve(client, join="flat", joinLevel=2)
    assert [e["id"] for e in response.json()] == [PARK, SENSOR, OTHER, GATEWAY]


async def test_4_5_23_inline_nests_the_target_in_the_relationship(
    client: httpx.AsyncClient,
) -> None:
    await _store(client)
    response = await _retrieve(client, join="inline", joinLevel=2)
    body = response.json()
    linked = body["observedBy"]["entity"]
    assert linked["id"] == SENSOR and linked["battery"]["value"] == 0.8
    assert body["observedBy"]["object"] == SENSOR
    assert linked["connectedTo"]["entity"]["online"]["value"] is True  # second hop
    assert [e["id"] for e in body["nearby"]["entityList"]] == [SENSOR, OTHER]


async def test_4_5_23_inline_in_key_values_replaces_the_object_by_the_entity(
    client: httpx.AsyncClient,
) -> None:
    await _store(client)
    response = await _retrieve(client, join="inline", options="keyValues")
    body = response.json()
    assert body["observedBy"] == {
        "id": SENSOR,
        "type": "Sensor",
        "battery": 0.8,
        "connectedTo": GATEWAY,
    }


async def test_4_5_23_none_and_absent_join_leave_the_answer_alone(
    client: httpx.AsyncClient,
) -> None:
    await _store(client)
    plain = await client.get(f"{ENTITIES}/{PARK}", headers=headers())
    none = await client.get(f"{ENTITIES}/{PARK}", params={"join": "@none"}, headers=headers())
    assert none.status_code == 200
    assert none.json() == plain.json()
    assert "entity" not in none.json()["observedBy"]


async def test_4_5_23_query_flat_appends_linked_entities_not_already_answered(
    client: httpx.AsyncClient,
) -> None:
    await _store(client)
    response = await client.get(
        ENTITIES, params={"type": "ParkingSpot,Sensor", "join": "flat"}, headers=headers()
    )
    assert response.status_code == 200, response.text
    ids = [e["id"] for e in response.json()]
    assert sorted(ids) == sorted([PARK, SENSOR, OTHER, GATEWAY])
    assert len(ids) == len(set(ids))
    assert ids[-1] == GATEWAY  # linked only: after the entities that matched


async def test_4_5_23_query_inline_and_post_query_join_member(client: httpx.AsyncClient) -> None:
    await _store(client)
    response = await client.get(
        ENTITIES, params={"type": "ParkingSpot", "join": "inline"}, headers=headers()
    )
    assert response.status_code == 200, response.text
    assert response.json()[0]["observedBy"]["entity"]["id"] == SENSOR
    body = {"type": "Query", "entities": [{"type": "Sensor"}], "join": "inline"}
    response = await client.post(QUERY, json=body, headers=headers())
    assert response.status_code == 200, response.text
    joined = {e["id"]: e for e in response.json()}
    assert joined[SENSOR]["connectedTo"]["entity"]["id"] == GATEWAY
    assert "entity" not in joined[OTHER]  # no relationship, nothing added


async def test_4_5_23_pick_applies_through_linked_entities(client: httpx.AsyncClient) -> None:
    await _store(client)
    response = await _retrieve(client, join="flat", pick="id,observedBy,battery")
    body = response.json()
    assert body[0] == {"id": PARK, "observedBy": {"type": "Relationship", "object": SENSOR}}
    assert body[1] == {"id": SENSOR, "battery": {"type": "Property", "value": 0.8}}


async def test_4_5_23_invalid_join_and_join_level_are_bad_request(
    client: httpx.AsyncClient,
) -> None:
    await _store(client)
    for params in ({"join": "deep"}, {"join": "flat", "joinLevel": 0}, {"joinLevel": "x"}):
        response = await client.get(f"{ENTITIES}/{PARK}", params=params, headers=headers())
        assert response.status_code == 400, (params, response.text)
        assert response.json()["type"].endswith("BadRequestData")
    body = {"type": "Query", "entities": [{"type": "Sensor"}], "join": "sideways"}
    response = await client.post(QUERY, json=body, headers=headers())
    assert response.status_code == 400, response.text
