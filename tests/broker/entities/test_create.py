"""6.4.3.1 Create Entity: every attribute type, concise input, and every way to get it wrong."""

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


async def test_create_returns_201_with_location(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, json=people_flow(), headers=headers())
    assert response.status_code == 201
    assert response.headers["location"] == f"{ENTITIES}/{SENSOR_ID}"
    assert response.content == b""


async def test_created_entity_reads_back_normalized(client: httpx.AsyncClient) -> None:
    body = await create(client)
    entity = await fetch(client)
    assert entity == {k: v for k, v in body.items()}


async def test_every_attribute_type_round_trips(client: httpx.AsyncClient) -> None:
    attributes: dict[str, Any] = {
        "name": {"type": "LanguageProperty", "languageMap": {"ja": "横浜駅", "en": "Yokohama"}},
        "config": {"type": "JsonProperty", "json": {"threshold": 300, "zones": [1, 2]}},
        "hourly": {"type": "ListProperty", "valueList": [10, 20, 30]},
        "neighbours": {
            "type": "ListRelationship",
            "objectList": ["urn:ngsi-ld:Sensor:2", "urn:ngsi-ld:Sensor:3"],
        },
        "category": {"type": "VocabProperty", "vocab": "pedestrian"},
        "area": {
            "type": "GeoProperty",
            "value": {
                "type": "Polygon",
                "coordinates": [[[139.0, 35.0], [139.1, 35.0], [139.1, 35.1], [139.0, 35.0]]],
            },
        },
        "owners": {
            "type": "Relationship",
            "object": ["urn:ngsi-ld:Org:1", "urn:ngsi-ld:Org:2"],
            "objectType": "Organization",
        },
    }
    body = await create(client, people_flow(**attributes))
    assert await fetch(client) == body


async def test_sub_attributes_observed_at_and_unit_code_are_kept(
    client: httpx.AsyncClient,
) -> None:
    count = {
        "type": "Property",
        "value": 5,
        "observedAt": "2026-11-22T09:00:00.000Z",
        "unitCode": "C62",
        "accuracy": {"type": "Property", "value": 0.95, "unitCode": "P1"},
        "measuredBy": {"type": "Relationship", "object": "urn:ngsi-ld:Device:cam-1"},
    }
    await create(client, people_flow(peopleCount=count))
    assert (await fetch(client))["peopleCount"] == count


async def test_multi_attribute_instances_by_dataset_id(client: httpx.AsyncClient) -> None:
    counts = [
        {"type": "Property", "value": 10},
        {"type": "Property", "value": 7, "datasetId": "urn:ngsi-ld:Dataset:camera"},
        {"type": "Property", "value": 9, "datasetId": "urn:ngsi-ld:Dataset:wifi"},
    ]
    await create(client, people_flow(peopleCount=counts))
    assert (await fetch(client))["peopleCount"] == counts


async def test_concise_input_infers_attribute_types(client: httpx.AsyncClient) -> None:
    body = {
        "id": SENSOR_ID,
        "type": "CrowdFlowObserved",
        "peopleCount": 42,
        "direction": {"value": "inbound", "observedAt": "2026-11-22T09:00:00Z"},
        "refDevice": {"object": "urn:ngsi-ld:Device:1"},
        "location": {"type": "Point", "coordinates": [139.6, 35.4]},
        "title": {"languageMap": {"en": "Gate"}},
        "tags": ["a", "b"],
    }
    await create(client, body)
    entity = await fetch(client)
    assert entity["peopleCount"] == {"type": "Property", "value": 42}
    assert entity["direction"]["type"] == "Property"
    assert entity["refDevice"] == {"type": "Relationship", "object": "urn:ngsi-ld:Device:1"}
    assert entity["location"]["type"] == "GeoProperty"
    assert entity["title"]["type"] == "LanguageProperty"
    assert entity["tags"] == {"type": "Property", "value": ["a", "b"]}


async def test_entity_with_several_types_and_scope(client: httpx.AsyncClient) -> None:
    await create(
        client, people_flow(type=["CrowdFlowObserved", "Device"], scope="/Kanagawa/Yokohama")
    )
    entity = await fetch(client)
    assert entity["type"] == ["CrowdFlowObserved", "Device"]
    assert entity["scope"] == "/Kanagawa/Yokohama"


async def test_create_twice_is_already_exists(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(ENTITIES, json=people_flow(), headers=headers())
    assert_problem(response, 409, "AlreadyExists")


BAD_ENTITIES = {
    "no id": {"type": "T"},
    "no type": {"id": SENSOR_ID},
    "id not a URI": {"id": "sensor 1", "type": "T"},
    "id not a string": {"id": 12, "type": "T"},
    "type not a name": {"id": SENSOR_ID, "type": "Crowd Flow"},
    "empty type list": {"id": SENSOR_ID, "type": []},
    "reserved attribute name": {"id": SENSOR_ID, "type": "T", "observedAt": 1},
    "reserved unitCode name": {"id": SENSOR_ID, "type": "T", "unitCode": {"value": "C62"}},
    "forbidden character in name": {"id": SENSOR_ID, "type": "T", "a=b": 1},
    "null attribute": {"id": SENSOR_ID, "type": "T", "a": None},
    "null value": {"id": SENSOR_ID, "type": "T", "a": {"type": "Property", "value": None}},
    "NGSI-LD Null value": {"id": SENSOR_ID, "type": "T", "a": "urn:ngsi-ld:null"},
    "unknown attribute type": {"id": SENSOR_ID, "type": "T", "a": {"type": "Prop", "value": 1}},
    "Property without value": {"id": SENSOR_ID, "type": "T", "a": {"type": "Property"}},
    "Relationship object not a URI": {
        "id": SENSOR_ID,
        "type": "T",
        "r": {"type": "Relationship", "object": "not a uri"},
    },
    "Relationship with value": {
        "id": SENSOR_ID,
        "type": "T",
        "r": {"type": "Relationship", "value": "urn:a:b"},
    },
    "GeoProperty not GeoJSON": {
        "id": SENSOR_ID,
        "type": "T",
        "location": {"type": "GeoProperty", "value": "here"},
    },
    "Point with one coordinate": {
        "id": SENSOR_ID,
        "type": "T",
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1]}},
    },
    "latitude out of range": {
        "id": SENSOR_ID,
        "type": "T",
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 95]}},
    },
    "Polygon not closed": {
        "id": SENSOR_ID,
        "type": "T",
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]},
        },
    },
    "languageMap with bad tag": {
        "id": SENSOR_ID,
        "type": "T",
        "n": {"type": "LanguageProperty", "languageMap": {"1": "x"}},
    },
    "ListProperty not a list": {
        "id": SENSOR_ID,
        "type": "T",
        "l": {"type": "ListProperty", "valueList": 3},
    },
    "observedAt not a date-time": {
        "id": SENSOR_ID,
        "type": "T",
        "a": {"type": "Property", "value": 1, "observedAt": "noon"},
    },
    "datasetId not a URI": {
        "id": SENSOR_ID,
        "type": "T",
        "a": {"type": "Property", "value": 1, "datasetId": "x y"},
    },
    "duplicate default instance": {
        "id": SENSOR_ID,
        "type": "T",
        "a": [{"type": "Property", "value": 1}, {"type": "Property", "value": 2}],
    },
    "duplicate datasetId": {
        "id": SENSOR_ID,
        "type": "T",
        "a": [
            {"type": "Property", "value": 1, "datasetId": "urn:d:1"},
            {"type": "Property", "value": 2, "datasetId": "urn:d:1"},
        ],
    },
    "sub-attribute null": {
        "id": SENSOR_ID,
        "type": "T",
        "a": {"type": "Property", "value": 1, "b": None},
    },
    "scope not a path": {"id": SENSOR_ID, "type": "T", "scope": "Yokohama"},
}


@pytest.mark.parametrize("body", BAD_ENTITIES.values(), ids=BAD_ENTITIES.keys())
async def test_bad_entity_is_bad_request_and_stores_nothing(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post(ENTITIES, json=body, headers=headers())
    assert_problem(response, 400, "BadRequestData")
    missing = await client.get(f"{ENTITIES}/{SENSOR_ID}")
    assert missing.status_code == 404


async def test_invalid_json_is_invalid_request(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, content=b'{"id": ', headers=headers())
    assert_problem(response, 400, "InvalidRequest")


async def test_empty_body_is_invalid_request(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, content=b"", headers=headers())
    assert_problem(response, 400, "InvalidRequest")


async def test_body_that_is_not_an_object_is_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, json=[people_flow()], headers=headers())
    assert_problem(response, 400, "BadRequestData")


async def test_body_over_the_size_limit_is_refused(client: httpx.AsyncClient) -> None:
    huge = people_flow(note={"type": "Property", "value": "x" * 2_000_000})
    response = await client.post(ENTITIES, json=huge, headers=headers())
    assert_problem(response, 413, "InvalidRequest")
    assert (await client.get(f"{ENTITIES}/{SENSOR_ID}")).status_code == 404


async def test_chunked_body_over_the_size_limit_is_refused(client: httpx.AsyncClient) -> None:
    """Without Content-Length a body is refused unread: 411 (clauses 6.3.2, 6.3.4)."""

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(30):
            yield b" " * 100_000

    response = await client.post(ENTITIES, content=chunks(), headers=headers())
    assert response.status_code == 411
    assert response.content == b""


async def test_unsupported_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, content=b"id=1", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415, "UnsupportedMediaType")


async def test_system_attributes_in_input_are_ignored(client: httpx.AsyncClient) -> None:
    await create(client, people_flow(createdAt="2000-01-01T00:00:00Z"))
    entity = await fetch(client, options="sysAttrs")
    assert entity["createdAt"] != "2000-01-01T00:00:00Z"
