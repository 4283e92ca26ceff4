"""6.5.3.1 Retrieve Entity: representations, selection, system attributes, negotiation."""

import httpx
import pytest

from tests.broker.entities.helpers import (
    ENTITIES,
    SENSOR_ID,
    assert_problem,
    create,
    fetch,
    people_flow,
)

CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"


async def test_sys_attrs_adds_created_and_modified_at(client: httpx.AsyncClient) -> None:
    await create(client)
    plain = await fetch(client)
    assert "createdAt" not in plain and "createdAt" not in plain["peopleCount"]
    entity = await fetch(client, options="sysAttrs")
    assert entity["createdAt"].endswith("Z")
    assert entity["modifiedAt"] >= entity["createdAt"]
    assert entity["peopleCount"]["createdAt"].endswith("Z")
    assert entity["peopleCount"]["modifiedAt"].endswith("Z")


async def test_key_values_simplifies_every_type(client: httpx.AsyncClient) -> None:
    await create(
        client,
        people_flow(
            name={"type": "LanguageProperty", "languageMap": {"ja": "横浜", "en": "Yokohama"}},
            config={"type": "JsonProperty", "json": {"a": 1}},
            hourly={"type": "ListProperty", "valueList": [1, 2]},
            category={"type": "VocabProperty", "vocab": "pedestrian"},
        ),
    )
    entity = await fetch(client, options="keyValues")
    assert entity == {
        "id": SENSOR_ID,
        "type": "CrowdFlowObserved",
        "peopleCount": 120,
        "congested": False,
        "location": {"type": "Point", "coordinates": [139.6222, 35.4658]},
        "refRoadSegment": "urn:ngsi-ld:RoadSegment:1",
        "name": {"languageMap": {"ja": "横浜", "en": "Yokohama"}},
        "config": {"json": {"a": 1}},
        "hourly": [1, 2],
        "category": {"vocab": "pedestrian"},
    }
    assert await fetch(client, format="keyValues") == entity
    assert await fetch(client, format="simplified") == entity


async def test_key_values_of_multi_attribute_is_a_dataset_map(client: httpx.AsyncClient) -> None:
    counts = [
        {"type": "Property", "value": 10},
        {"type": "Property", "value": 7, "datasetId": "urn:ngsi-ld:Dataset:camera"},
    ]
    await create(client, people_flow(peopleCount=counts))
    entity = await fetch(client, options="keyValues")
    assert entity["peopleCount"] == {"dataset": {"@none": 10, "urn:ngsi-ld:Dataset:camera": 7}}


async def test_concise_drops_types_and_collapses_plain_properties(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    entity = await fetch(client, options="concise")
    assert entity == {
        "id": SENSOR_ID,
        "type": "CrowdFlowObserved",
        "peopleCount": {"value": 120, "observedAt": "2026-11-22T09:00:00Z", "unitCode": "C62"},
        "congested": False,
        "location": {"value": {"type": "Point", "coordinates": [139.6222, 35.4658]}},
        "refRoadSegment": {"object": "urn:ngsi-ld:RoadSegment:1"},
    }


async def test_concise_output_is_accepted_as_input(client: httpx.AsyncClient) -> None:
    await create(client)
    concise = await fetch(client, options="concise")
    await client.delete(f"{ENTITIES}/{SENSOR_ID}")
    await create(client, concise)
    assert await fetch(client) == people_flow()


async def test_attrs_selects_attributes_and_keeps_id_and_type(client: httpx.AsyncClient) -> None:
    await create(client)
    entity = await fetch(client, attrs="peopleCount,congested")
    assert set(entity) == {"id", "type", "peopleCount", "congested"}


async def test_attrs_matching_nothing_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", params={"attrs": "temperature"})
    assert_problem(response, 404, "ResourceNotFound")


async def test_pick_returns_only_the_named_members(client: httpx.AsyncClient) -> None:
    await create(client)
    assert set(await fetch(client, pick="id,peopleCount")) == {"id", "peopleCount"}
    assert set(await fetch(client, pick="peopleCount")) == {"peopleCount"}


async def test_omit_leaves_out_the_named_members(client: httpx.AsyncClient) -> None:
    await create(client)
    entity = await fetch(client, omit="type,location")
    assert set(entity) == {"id", "peopleCount", "congested", "refRoadSegment"}


async def test_pick_leaving_nothing_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", params={"pick": "temperature"})
    assert_problem(response, 404, "ResourceNotFound")


@pytest.mark.parametrize(
    "params",
    [
        {"options": "fast"},
        {"options": "keyValues,concise"},
        {"format": "compact"},
        {"pick": "id", "omit": "type"},
        {"attrs": "peopleCount", "pick": "id"},
        {"attrs": "peopleCount,,congested"},
        {"attrs": "people count"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
async def test_bad_query_parameters_are_bad_request(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    await create(client)
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", params=params)
    # unknown options or format: InvalidRequest (ETSI 018_16); the rest BadRequestData
    unknown = params in ({"options": "fast"}, {"format": "compact"})
    assert_problem(response, 400, "InvalidRequest" if unknown else "BadRequestData")


async def test_lang_turns_a_language_property_into_a_property(client: httpx.AsyncClient) -> None:
    name = {"type": "LanguageProperty", "languageMap": {"ja": "横浜駅", "en": "Yokohama Sta."}}
    await create(client, people_flow(name=name))
    assert (await fetch(client, lang="ja"))["name"] == {
        "type": "Property",
        "value": "横浜駅",
        "lang": "ja",
    }
    assert (await fetch(client, lang="en", options="keyValues"))["name"] == "Yokohama Sta."
    assert (await fetch(client, lang="*"))["name"]["value"] == name["languageMap"]


async def test_entity_id_that_is_not_a_uri_is_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ENTITIES}/not-a-uri")
    assert_problem(response, 400, "BadRequestData")


async def test_entity_id_with_slashes_is_addressable(client: httpx.AsyncClient) -> None:
    entity_id = "https://example.org/sensors/1"
    await create(client, people_flow(entity_id))
    assert (await fetch(client, entity_id))["id"] == entity_id


async def test_unknown_entity_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ENTITIES}/urn:ngsi-ld:T:missing")
    assert_problem(response, 404, "ResourceNotFound")


async def test_json_response_links_the_core_context(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["link"].startswith(f"<{CORE}>")
    assert "@context" not in response.json()


async def test_ld_json_response_carries_the_context(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(
        f"{ENTITIES}/{SENSOR_ID}", headers={"Accept": "application/ld+json"}
    )
    assert response.headers["content-type"] == "application/ld+json"
    assert response.json()["@context"] == CORE
    assert "link" not in response.headers


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html, application/ld+json;q=0.9", "application/ld+json"),
        ("application/json;q=0.5, application/ld+json", "application/ld+json"),
    ],
)
async def test_accept_header_chooses_the_media_type(
    client: httpx.AsyncClient, accept: str, media_type: str
) -> None:
    await create(client)
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type


async def test_unacceptable_media_type_is_406(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers={"Accept": "text/html"})
    assert_problem(response, 406, "NotAcceptable")
