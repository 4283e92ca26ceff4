"""6.4.3.2 Query Entities: ids, types, q, scopeQ, attrs, paging and representations."""

from typing import Any

import httpx
import pytest

from tests.broker.entities.dataset import STATION, E, ids
from tests.broker.entities.helpers import ENTITIES, assert_problem, headers

Q_CASES = {
    "peopleCount>40": ["e2", "e3"],
    "peopleCount>=50": ["e2", "e3"],
    "peopleCount<50": ["e1"],
    "peopleCount<=50": ["e1", "e2"],
    "peopleCount==10": ["e1"],
    "peopleCount!=10": ["e2", "e3", "e5"],
    "peopleCount==10..60": ["e1", "e2"],
    "peopleCount!=10..60": ["e3", "e5"],
    "peopleCount==10,120": ["e1", "e3"],
    "peopleCount==90": ["e3"],
    "peopleCount<100000000000000000000": ["e1", "e2", "e3"],
    "peopleCount<1e400": ["e1", "e2", "e3"],
    "peopleCount==1e1": ["e1"],
    'peopleCount=="n/a"': ["e5"],
    "congested==true": ["e2"],
    "congested==false": ["e1"],
    'direction=="inbound"': ["e1"],
    "direction==inbound": ["e1"],
    'name~="Station"': ["e1", "e2"],
    'name~="^Shin"': ["e3"],
    'name!~="Station"': ["e3", "e4"],
    "occupancy": ["e4"],
    "!peopleCount": ["e4"],
    "refRoadSegment==urn:ngsi-ld:RoadSegment:2": ["e2"],
    'settings[mode]=="auto"': ["e1"],
    "settings[threshold]>200": ["e1"],
    "peopleCount.observedAt>=2026-11-22T07:00:00Z": ["e1"],
    'peopleCount.unitCode=="C62"': ["e1"],
    "peopleCount.unitCode": ["e1"],
    "dateObserved<2026-11-23T00:00:00Z": ["e1"],
    "dateObserved==2026-11-22T08:00:00Z": ["e1"],
    'dateObserved=="DateTime"': [],  # a JSON-LD value object stands for its @value only
    'settings=="auto"': [],  # an object value is not compared member by member
    'tags=="b"': ["e3"],
    "peopleCount>40;congested==true": ["e2"],
    "peopleCount>40|occupancy": ["e2", "e3", "e4"],
    "(peopleCount==10|peopleCount==50);congested==false": ["e1"],
    "modifiedAt>2000-01-01T00:00:00Z": ["e1", "e2", "e3", "e4", "e5"],
    "createdAt<2000-01-01T00:00:00Z": [],
    "modifiedAt>2000-01-01T00:00": ["e1", "e2", "e3", "e4", "e5"],  # no offset: UTC
    "modifiedAt<2000-01-01T09:00:00+09:00": [],
}


@pytest.mark.parametrize(("q", "expected"), Q_CASES.items(), ids=Q_CASES.keys())
async def test_q_language(
    client: httpx.AsyncClient, dataset: None, q: str, expected: list[str]
) -> None:
    assert await ids(client, q=q) == expected


async def test_unquoted_pattern_is_taken_as_written(client: httpx.AsyncClient) -> None:
    body = {"id": E + "p1", "type": "T", "flag": "true", "code": "size 1e3"}
    await client.post(ENTITIES, json=body, headers=headers())
    assert await ids(client, q="flag~=true") == ["p1"]
    assert await ids(client, q="code~=1e3") == ["p1"]


BAD_Q = [
    "peopleCount>",
    "(peopleCount>1",
    "peopleCount>>1",
    "peopleCount==1..",
    'name~="("',
    "a b",
    "congested>true",
    'name=="open',
    "peopleCount;",
    "1abc>2",
    "modifiedAt>2000-13-01T00:00:00Z",
    "createdAt>10",
    'createdAt~="2026"',
]


@pytest.mark.parametrize("q", BAD_Q)
async def test_malformed_q_is_bad_request(client: httpx.AsyncClient, dataset: None, q: str) -> None:
    assert_problem(await client.get(ENTITIES, params={"q": q}), 400, "BadRequestData")


TYPE_CASES = {
    "CrowdFlowObserved": ["e1", "e2", "e3"],
    "Device": ["e3", "e5"],
    "CrowdFlowObserved;Device": ["e3"],
    "ParkingSpot,Device": ["e3", "e4", "e5"],
    "(CrowdFlowObserved;Device)|ParkingSpot": ["e3", "e4"],
    "Nothing": [],
}


@pytest.mark.parametrize(("selection", "expected"), TYPE_CASES.items(), ids=TYPE_CASES.keys())
async def test_type_selection(
    client: httpx.AsyncClient, dataset: None, selection: str, expected: list[str]
) -> None:
    assert await ids(client, type=selection) == expected


async def test_ids_and_id_pattern(client: httpx.AsyncClient, dataset: None) -> None:
    assert await ids(client, id=f"{E}e1,{E}e4") == ["e1", "e4"]
    assert await ids(client, idPattern=".*:e[12]$") == ["e1", "e2"]
    assert await ids(
        client, idPattern=".*:e[12]$", type="CrowdFlowObserved", q="congested==true"
    ) == ["e2"]
    assert_problem(await client.get(ENTITIES, params={"idPattern": "("}), 400, "BadRequestData")
    bad_id = {"id": "not a uri", "local": "true"}
    assert_problem(await client.get(ENTITIES, params=bad_id), 400, "BadRequestData")


SCOPE_CASES = {
    "/Kanagawa/#": ["e1", "e2", "e3"],
    "/Kanagawa/+": ["e2"],
    "/Kanagawa/Yokohama/+": ["e1", "e3"],
    "/Kanagawa/Kawasaki": ["e2"],
    "/Kanagawa/Yokohama/Nishi;/Kanagawa/#": ["e1"],
    "/Kanagawa/Kawasaki,/Kanagawa/Yokohama/Kohoku": ["e2", "e3"],
    "/#": ["e1", "e2", "e3"],
    "/kanagawa/#": [],
    "/Kanagawa/yokohama/+": [],
    "/Kanagawa/Yokohama": [],
}


@pytest.mark.parametrize(("scope_q", "expected"), SCOPE_CASES.items(), ids=SCOPE_CASES.keys())
async def test_scope_query(
    client: httpx.AsyncClient, dataset: None, scope_q: str, expected: list[str]
) -> None:
    assert await ids(client, scopeQ=scope_q) == expected


async def test_one_level_scope_pattern_needs_a_name_at_that_level(
    client: httpx.AsyncClient,
) -> None:
    batch = [
        {"id": E + "s1", "type": "T", "scope": "/Kanagawa"},
        {"id": E + "s2", "type": "T", "scope": "/Kanagawa/Zama"},
    ]
    await client.post("/ngsi-ld/v1/entityOperations/create", json=batch, headers=headers())
    assert await ids(client, scopeQ="/Kanagawa/+") == ["s2"]
    assert await ids(client, scopeQ="/Kanagawa/#") == ["s1", "s2"]


@pytest.mark.parametrize("scope", ["/Kanagawa/", "/a//b", "/", "a/b", "/a/#", "/a b"])
async def test_a_scope_is_levels_of_names(client: httpx.AsyncClient, scope: str) -> None:
    """Clause 4.18: one or more non-empty levels; wildcards belong to scopeQ only."""
    entity = {"id": E + "s1", "type": "T", "scope": scope}
    assert_problem(
        await client.post(ENTITIES, json=entity, headers=headers()), 400, "BadRequestData"
    )


async def test_bad_scope_query_is_bad_request(client: httpx.AsyncClient, dataset: None) -> None:
    assert_problem(await client.get(ENTITIES, params={"scopeQ": "Kanagawa"}), 400, "BadRequestData")


async def test_attrs_selects_entities_and_attributes(
    client: httpx.AsyncClient, dataset: None
) -> None:
    response = await client.get(
        ENTITIES, params={"attrs": "occupancy,congested", "options": "keyValues"}
    )
    assert response.json() == [
        {
            "id": E + "e1",
            "type": "CrowdFlowObserved",
            "scope": "/Kanagawa/Yokohama/Nishi",
            "congested": False,
        },
        {
            "id": E + "e2",
            "type": "CrowdFlowObserved",
            "scope": "/Kanagawa/Kawasaki",
            "congested": True,
        },
        {"id": E + "e4", "type": "ParkingSpot", "occupancy": 0.5},
    ]


async def test_pages_are_stable_and_counted(client: httpx.AsyncClient, dataset: None) -> None:
    pages = []
    for offset in (0, 2, 4):
        response = await client.get(
            ENTITIES, params={"limit": 2, "offset": offset, "count": "true", "local": "true"}
        )
        assert response.headers["NGSILD-Results-Count"] == "5"
        pages += [e["id"].removeprefix(E) for e in response.json()]
    assert pages == ["e1", "e2", "e3", "e4", "e5"]


async def test_default_page_size_is_twenty(client: httpx.AsyncClient) -> None:
    batch = [{"id": f"{E}{n:03}", "type": "T"} for n in range(25)]
    await client.post("/ngsi-ld/v1/entityOperations/create", json=batch, headers=headers())
    assert len((await client.get(ENTITIES, params={"type": "T"})).json()) == 20


async def test_count_only_with_limit_zero(client: httpx.AsyncClient, dataset: None) -> None:
    response = await client.get(ENTITIES, params={"limit": 0, "count": "true", "type": "Device"})
    assert response.json() == []
    assert response.headers["NGSILD-Results-Count"] == "2"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": -1},
        {"offset": -1},
        {"limit": "ten"},
        {"options": "sysAttrs,fast"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
async def test_bad_paging_is_bad_request(
    client: httpx.AsyncClient, dataset: None, params: dict[str, Any]
) -> None:
    # an unknown option is an InvalidRequest (ETSI 018_16), bad paging BadRequestData
    problem = "InvalidRequest" if "options" in params else "BadRequestData"
    response = await client.get(ENTITIES, params={"type": "CrowdFlowObserved", **params})
    assert_problem(response, 400, problem)


async def test_a_page_over_the_maximum_is_too_many_results(
    client: httpx.AsyncClient, dataset: None
) -> None:
    response = await client.get(ENTITIES, params={"type": "Device", "limit": 1001})
    body = assert_problem(response, 403, "TooManyResults")
    assert "1000" in body["detail"]


async def test_query_representations(client: httpx.AsyncClient, dataset: None) -> None:
    params = {"id": E + "e2", "attrs": "peopleCount"}
    normalized = (await client.get(ENTITIES, params=params)).json()
    assert normalized[0]["peopleCount"] == {"type": "Property", "value": 50}
    concise = (await client.get(ENTITIES, params={**params, "options": "concise"})).json()
    assert concise[0]["peopleCount"] == 50
    ld = await client.get(ENTITIES, params=params, headers={"Accept": "application/ld+json"})
    assert (
        ld.json()[0]["@context"]
        == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
    )


async def test_geojson_feature_collection(client: httpx.AsyncClient, dataset: None) -> None:
    response = await client.get(
        ENTITIES,
        params={"type": "CrowdFlowObserved", "attrs": "name", "options": "keyValues"},
        headers={"Accept": "application/geo+json"},
    )
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["features"][0] == {
        "id": E + "e1",
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": STATION},
        "properties": {
            "type": "CrowdFlowObserved",
            "scope": "/Kanagawa/Yokohama/Nishi",
            "name": "Yokohama Station East",
        },
    }
    other = await client.get(
        ENTITIES,
        params={"id": E + "e2", "geometryProperty": "area", "local": "true"},
        headers={"Accept": "application/geo+json"},
    )
    assert other.json()["features"][0]["geometry"]["coordinates"] == [139.70, 35.53]


async def test_retrieve_as_geojson_feature(client: httpx.AsyncClient, dataset: None) -> None:
    response = await client.get(f"{ENTITIES}/{E}e5", headers={"Accept": "application/geo+json"})
    assert response.json()["geometry"] is None
    assert response.json()["type"] == "Feature"


async def test_post_query(client: httpx.AsyncClient, dataset: None) -> None:
    body = {
        "type": "Query",
        "entities": [{"type": "ParkingSpot"}, {"id": E + "e2"}],
        "q": 'name~="Station|parking"',
        "attrs": ["name"],
    }
    response = await client.post(
        "/ngsi-ld/v1/entityOperations/query", json=body, params={"count": "true"}, headers=headers()
    )
    assert response.status_code == 200, response.text
    assert [e["id"] for e in response.json()] == [E + "e2", E + "e4"]
    assert set(response.json()[0]) == {"id", "type", "scope", "name"}
    assert response.headers["NGSILD-Results-Count"] == "2"


@pytest.mark.parametrize(
    "body",
    [
        {"type": "Subscription"},
        [],
        {"type": "Query", "q": 5},
        {"type": "Query", "entities": [1]},
        {"type": "Query", "geoQ": {"georel": "near"}},
        {"type": "Query", "attrs": "name"},
    ],
)
async def test_bad_post_query_is_bad_request(client: httpx.AsyncClient, body: Any) -> None:
    response = await client.post("/ngsi-ld/v1/entityOperations/query", json=body, headers=headers())
    assert_problem(response, 400, "BadRequestData")


async def test_query_sees_only_its_tenant(client: httpx.AsyncClient, dataset: None) -> None:
    await client.post(
        ENTITIES, json={"id": E + "k1", "type": "CrowdFlowObserved"}, headers=headers("kawasaki")
    )
    response = await client.get(
        ENTITIES, params={"type": "CrowdFlowObserved"}, headers=headers("kawasaki")
    )
    assert [e["id"] for e in response.json()] == [E + "k1"]
    assert "k1" not in await ids(client, type="CrowdFlowObserved")


async def test_a_type_given_as_a_full_iri_with_dots_selects_its_entities(
    client: httpx.AsyncClient,
) -> None:
    iri = "https://data.example.org/ns.v1/Sensor.Model"
    entity = {"id": "urn:ngsi-ld:Sensor:dotted-1", "type": iri}
    made = await client.post(ENTITIES, json=entity, headers=headers())
    assert made.status_code == 201, made.text
    for selection in (iri, f"{iri},Other", f"({iri}|Other)"):
        found = await client.get(ENTITIES, params={"type": selection}, headers=headers())
        assert found.status_code == 200, found.text
        assert [e["id"] for e in found.json()] == [entity["id"]]
