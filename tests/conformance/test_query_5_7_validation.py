"""Clauses 5.7.2, 6.3 and 6.4.3.2: what Query and Retrieve Entity refuse, as ETSI's conformance
suite sends them (Consumption/Entity cases 018_16, 019_03, 019_27, 019_30, 019_32, 059_01,
5711, 566/563/562/565 for the V1.9 `type` selector).
"""

from typing import Any

import httpx
import pytest

from tests.broker.entities.helpers import ENTITIES, assert_problem, headers

E = "urn:ngsi-ld:Building:B1"
GEO = {"geometry": "Point", "coordinates": "[8,40]"}
BATCH = "/ngsi-ld/v1/entityOperations"


async def _building(client: httpx.AsyncClient) -> None:
    entity = {
        "id": E,
        "type": "Building",
        "name": "Sakura",
        "location": {"type": "Point", "coordinates": [8, 40]},
    }
    assert (await client.post(ENTITIES, json=entity, headers=headers())).status_code == 201


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"id": "urn:ngsi-ld:Entity:01,urn:ngsi-ld:Entity:02"},
        {"count": "true"},
    ],
    ids=["nothing", "ids only", "count only"],
)
async def test_a_query_without_the_minimal_parameters_is_too_broad(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    """5.7.2.4: types, attrs, q, a geo-query (or local=true); 019_03_05."""
    assert_problem(
        await client.get(ENTITIES, params=params, headers=headers()), 400, "BadRequestData"
    )


@pytest.mark.parametrize(
    "params",
    [{"q": 'name=="Sakura"'}, {"attrs": "name"}, {"local": "true"}, {"idPattern": ".*"}],
    ids=["q alone", "attrs alone", "local=true alone", "idPattern alone"],
)
async def test_one_minimal_parameter_is_enough(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    await _building(client)
    response = await client.get(ENTITIES, params=params, headers=headers())
    assert response.status_code == 200, response.text
    assert [e["id"] for e in response.json()] == [E]


@pytest.mark.parametrize(
    "georel",
    [
        "near;maxDistance==0",
        "near;maxDistance==-100",
        "near;maxDistance==5;minDistance==1",
        "near",
        "touches",
        "near;maxDistance==inf",
        "near;maxDistance==1e400",
        "invalid",
    ],
)
async def test_bad_georel_is_bad_request(client: httpx.AsyncClient, georel: str) -> None:
    """019_30, 019_03_04."""
    params = {"type": "Building", "georel": georel, **GEO, "count": "true"}
    assert_problem(
        await client.get(ENTITIES, params=params, headers=headers()), 400, "BadRequestData"
    )


async def test_geometry_property_only_with_a_geojson_answer(client: httpx.AsyncClient) -> None:
    """019_27_01, 5711_01_02: geometryProperty without Accept: application/geo+json is 400;
    with it the GeoJSON answer uses it."""
    await _building(client)
    params = {"type": "Building", "geometryProperty": "location"}
    json_answer = await client.get(ENTITIES, params=params, headers=headers())
    assert_problem(json_answer, 400, "BadRequestData")
    retrieve = await client.get(
        f"{ENTITIES}/{E}",
        params={"geometryProperty": "location"},
        headers={**headers(), "Accept": "application/ld+json"},
    )
    assert_problem(retrieve, 400, "BadRequestData")
    geo = await client.get(
        ENTITIES, params=params, headers={**headers(), "Accept": "application/geo+json"}
    )
    assert geo.status_code == 200, geo.text
    assert geo.json()["features"][0]["geometry"]["coordinates"] == [8, 40]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", ENTITIES + "?type=Building&invalidParams=invalidValue", None),
        ("POST", ENTITIES + "?invalidParams=invalidValue", "not even an entity"),
        ("GET", f"{ENTITIES}/{E}?invalidParams=1", None),
        ("GET", "/ngsi-ld/v1/types?invalidParams=1", None),
        ("GET", "/ngsi-ld/v1/subscriptions?invalidParams=1", None),
        ("POST", "/ngsi-ld/v1/subscriptions?invalidParams=1", "not a subscription"),
        ("POST", BATCH + "/upsert?invalidParams=1", []),
    ],
)
async def test_an_unknown_query_parameter_is_an_invalid_request(
    client: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    """059_01: before the body is read and before anything is looked up (the entity of the
    retrieve does not exist)."""
    response = await client.request(method, path, json=body, headers=headers())
    assert_problem(response, 400, "InvalidRequest")


@pytest.mark.parametrize(
    "params",
    [
        {"format": "invalidFormat"},
        {"options": "invalidOptions"},
        {"options": "keyValues,invalid"},
        {"format": "keyValues", "options": "invalid"},
    ],
)
async def test_unknown_format_or_option_is_invalid_before_not_found(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    """018_16: the entity does not exist; the bad parameter is reported first."""
    response = await client.get(f"{ENTITIES}/urn:ngsi-ld:X:none", params=params, headers=headers())
    assert_problem(response, 400, "InvalidRequest")


@pytest.mark.parametrize(
    "body",
    [
        {"type": "Query", "entities": []},
        {"type": "Query", "attrs": []},
        {"type": "Query", "attrs": ["name"], "joinLevel": 0},
        {"type": "Query", "q": 42},
        {"type": "NotQuery", "attrs": ["name"]},
    ],
    ids=["entities empty", "attrs empty", "joinLevel 0", "q a number", "not a Query"],
)
async def test_post_query_body_errors(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    """019_32."""
    response = await client.post(f"{BATCH}/query", json=body, headers=headers())
    assert_problem(response, 400, "BadRequestData")


async def test_post_query_with_only_attrs_is_enough(client: httpx.AsyncClient) -> None:
    """019_02_04."""
    await _building(client)
    body = {"type": "Query", "attrs": ["name"]}
    response = await client.post(f"{BATCH}/query", json=body, headers=headers())
    assert [e["id"] for e in response.json()] == [E]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("DELETE", "", None),
        ("PATCH", "", {"name": "Ume"}),
        ("PUT", "", {"name": "Ume"}),
        ("POST", "/attrs", {"height": 3}),
        ("PATCH", "/attrs", {"name": "Ume"}),
        ("PUT", "/attrs/name", {"type": "Property", "value": "Ume"}),
        ("PATCH", "/attrs/name", {"value": "Ume"}),
        ("DELETE", "/attrs/name", None),
    ],
)
async def test_type_selector_of_another_type_is_not_found_and_changes_nothing(
    client: httpx.AsyncClient, method: str, suffix: str, body: Any
) -> None:
    """V1.9 6.5/6.6 `type` selector (ETSI 5711_01_01, 562-566): 404, no write; the matching
    type goes through."""
    await _building(client)
    url = f"{ENTITIES}/{E}{suffix}"
    wrong = await client.request(method, url, params={"type": "Shop"}, json=body, headers=headers())
    assert_problem(wrong, 404, "ResourceNotFound")
    stored = (await client.get(f"{ENTITIES}/{E}", headers=headers())).json()
    assert stored["name"]["value"] == "Sakura" and "height" not in stored
    right = await client.request(
        method, url, params={"type": "Building"}, json=body, headers=headers()
    )
    assert right.status_code in (200, 204), right.text
