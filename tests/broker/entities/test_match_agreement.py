"""The in-memory matcher and Query Entities agree, on SQLite and on PostgreSQL.

Every case runs twice on one stored dataset: through GET /entities (or POST
/entityOperations/query), which filters in SQL, and through compile_matcher over the same
entities loaded with the query repository. The two sets of ids must be equal. The cases are every
q, type selection, scopeQ and geo-query of the query tests, plus edge cases on a second set of
entities (arrays, nested values, every attribute type, sub-attributes, multi-instance
attributes, date-times, booleans, string ranges, patterns, negations); those also state the ids
they expect, so agreeing on a wrong answer would not pass either.
"""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from auth.principals import Access
from broker.entities.dependencies import split_list
from broker.entities.query.body import query_from_body
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.entities.query.match import compile_matcher
from broker.entities.query.repository import QueryRepository
from broker.entities.query.selection import EntityQuery, Selector
from broker.entities.repository import EntityRecord
from tests.broker.entities.dataset import DATASET, STATION, E, ids, point
from tests.broker.entities.helpers import ENTITIES, headers
from tests.broker.entities.test_geo_query import GEO_CASES, YOKOHAMA, geo
from tests.broker.entities.test_query import Q_CASES, SCOPE_CASES, TYPE_CASES

TOKYO = [139.7528, 35.6852]

EXTRA: list[dict[str, Any]] = [
    {
        "id": E + "x1",
        "type": "Sensor",
        "scope": ["/Tokyo/Chiyoda", "/Kanagawa"],
        "temperature": [
            {"value": 21.5, "observedAt": "2026-11-22T08:00:00Z", "unitCode": "CEL"},
            {
                "value": 30,
                "datasetId": "urn:ngsi-ld:Dataset:b",
                "observedAt": "2026-11-22T09:30:00Z",
            },
        ],
        "readings": {"type": "Property", "value": [1, 5, [7, 8], {"k": 9}, "10", True]},
        "address": {
            "type": "Property",
            "value": {
                "city": "Yokohama",
                "ward": {"name": "Nishi", "code": 220},
                "tags": ["station", "port"],
            },
        },
        "label": {"type": "LanguageProperty", "languageMap": {"en": "Harbour", "ja": "港"}},
        "category": {"type": "VocabProperty", "vocab": "parking"},
        "config": {"type": "JsonProperty", "json": {"mode": "eco", "levels": [1, 2]}},
        "route": {"type": "ListProperty", "valueList": ["a", "b", 3]},
        "owners": {"type": "Relationship", "object": ["urn:ngsi-ld:P:1", "urn:ngsi-ld:P:2"]},
        "linked": {
            "type": "ListRelationship",
            "objectList": [{"object": "urn:ngsi-ld:Thing:1"}, "urn:ngsi-ld:Thing:2"],
        },
        "status": {
            "type": "Property",
            "value": "Open",
            "reliability": {
                "type": "Property",
                "value": 0.9,
                "observedAt": "2026-11-22T08:00:00Z",
                "source": {"type": "Relationship", "object": "urn:ngsi-ld:Source:1"},
            },
        },
        "active": True,
        "when": {
            "type": "Property",
            "value": {"@type": "DateTime", "@value": "2026-11-22T08:00:00Z"},
        },
        "location": [
            point(139.60, 35.44),
            {**point(*TOKYO), "datasetId": "urn:ngsi-ld:Dataset:camera"},
        ],
    },
    {
        "id": E + "x2",
        "type": ["Sensor", "Camera"],
        "scope": "/Tokyo/chiyoda",
        "temperature": {"type": "Property", "value": -5, "unitCode": "FAH"},
        "readings": "none",
        "address": {"type": "Property", "value": {"city": "Kawasaki", "tags": "station"}},
        "label": {"type": "LanguageProperty", "languageMap": {"@none": "Harbour"}},
        "active": False,
        "name": "b-station",
        "status": {"type": "Property", "value": "closed", "reliability": 0.2},
        "when": "2026-11-23T00:00:00Z",
    },
    {"id": E + "x3", "type": "Camera", "temperature": "21.5"},
    {
        "id": E + "x4",
        "type": "Sensor",
        "temperature": [{"value": 40, "datasetId": "urn:ngsi-ld:Dataset:a"}],
        "readings": {"type": "Property", "value": []},
        "name": "Ärger",
    },
    {
        "id": E + "x5",
        "type": "Camera",
        "location": {
            "type": "GeoProperty",
            "value": {"type": "LineString", "coordinates": [[139.60, 35.45], [139.62, 35.47]]},
        },
        "area": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": TOKYO}},
    },
]

DEFAULT_CONTEXT = "https://uri.etsi.org/ngsi-ld/default-context/"
EXTRA_Q = {
    # multi-instance attributes: any instance
    "temperature>25": ["x1", "x4"],
    "temperature<0": ["x2"],
    "temperature==21.5": ["x1"],
    'temperature=="21.5"': ["x3"],
    "temperature!=30": ["x2", "x3", "x4"],
    "temperature==20..35": ["x1"],
    "temperature!=20..35": ["x2", "x3", "x4"],
    'temperature.unitCode=="CEL"': ["x1"],
    'temperature.datasetId=="urn:ngsi-ld:Dataset:b"': ["x1"],
    "temperature.datasetId": ["x1", "x4"],
    "!temperature.datasetId": ["e1", "e2", "e3", "e4", "e5", "x2", "x3", "x5"],
    "temperature.observedAt": ["x1"],
    # observedAt is stored in UTC with Z (an offset is refused), so text order is time order
    "temperature.observedAt>2026-11-22T08:30:00Z": ["x1"],
    # arrays: any element; nested arrays and objects never compare
    "readings==5": ["x1"],
    "readings==7": [],
    "readings==9": [],
    'readings=="10"': ["x1"],
    "readings==10": [],
    "readings==true": ["x1"],
    "readings==1..3": ["x1"],
    "readings!=5": ["x2", "x4"],
    "readings": ["x1", "x2", "x4"],
    # values inside compound values
    'address[city]=="Yokohama"': ["x1"],
    'address[ward.name]=="Nishi"': ["x1"],
    "address[ward.code]>200": ["x1"],
    'address[tags]=="station"': ["x1", "x2"],
    "address[ward]": ["x1"],
    "!address[ward]": ["e1", "e2", "e3", "e4", "e5", "x2", "x3", "x4", "x5"],
    'address[city]!="Yokohama"': ["x2"],
    'address=="Yokohama"': [],
    "address[nothing]": [],
    # attribute types: each compares its own value member
    'label[en]=="Harbour"': ["x1"],
    'label[@none]=="Harbour"': ["x2"],
    'label=="Harbour"': [],
    "category==parking": [],  # VocabProperty values are stored expanded
    f'category=="{DEFAULT_CONTEXT}parking"': ["x1"],
    'config[mode]=="eco"': ["x1"],
    "config[levels]==2": ["x1"],
    'route=="b"': ["x1"],
    "route==3": ["x1"],
    "owners==urn:ngsi-ld:P:2": ["x1"],
    "linked==urn:ngsi-ld:Thing:2": ["x1"],
    "linked==urn:ngsi-ld:Thing:1": [],
    "refRoadSegment==urn:ngsi-ld:RoadSegment:1,urn:ngsi-ld:RoadSegment:2": ["e1", "e2"],
    # sub-attributes
    "status.reliability>0.5": ["x1"],
    "status.reliability!=0.9": ["x2"],
    "status.reliability.source==urn:ngsi-ld:Source:1": ["x1"],
    "status.reliability.observedAt": ["x1"],
    "status.reliability.unitCode": [],
    'status~="^O"': ["x1"],
    # booleans
    "active==true": ["x1"],
    "active==false": ["x2"],
    "active!=true": ["x2"],
    "active==true,false": ["x1", "x2"],
    # date-times in value objects and as plain strings
    "when==2026-11-22T08:00:00Z": ["x1"],
    "when>=2026-11-22T12:00:00Z": ["x2"],
    "when==2026-11-22T08:00:00Z..2026-11-23T00:00:00Z": ["x1", "x2"],
    # strings: code-point order, case-sensitive patterns
    "name==A..N": ["e2", "e4"],
    'name<"L"': ["e2"],
    "name>=a": ["x2", "x4"],
    'name~="(?i)station"': ["e1", "e2", "x2"],
    'name~="^[A-Z]"': ["e1", "e2", "e3", "e4"],
    'name!~="a"': ["x4"],
    # and, or, parentheses, negation, entity timestamps
    "(temperature>25|active==false);!label": ["x4"],
    "temperature;active": ["x1", "x2"],
    "occupancy|readings==5": ["e4", "x1"],
    "createdAt>2000-01-01T00:00:00Z;temperature": ["x1", "x2", "x3", "x4"],
    "!createdAt": [],
    "modifiedAt!=2000-01-01T00:00:00Z;readings==true": ["x1"],
}

TYPES = [
    *TYPE_CASES,
    "Sensor",
    "Camera",
    "Sensor;Camera",
    "Sensor,ParkingSpot",
    "(Sensor;Camera)|Device",
]
ID_PATTERNS = ["x[13]$", "^urn:ngsi-ld:Test:x", "(?i)TEST:X1", "e|x2", "Test:e[0-9]+$", "^x"]
SCOPES = [*SCOPE_CASES, "/Tokyo/#", "/Tokyo/Chiyoda", "/tokyo/#", "/Tokyo/+"]

CASES: dict[str, dict[str, Any]] = {
    **{f"q={q}": {"q": q} for q in [*Q_CASES, *EXTRA_Q]},
    **{f"type={t}": {"type": t} for t in TYPES},
    **{f"idPattern={p}": {"idPattern": p} for p in ID_PATTERNS},
    **{f"scopeQ={s}": {"scopeQ": s} for s in SCOPES},
    **{f"geo {name}": params for name, (params, _) in GEO_CASES.items()},
    "geo near the second location instance": geo("near;maxDistance==100", "Point", TOKYO),
    "geo within Yokohama, either instance": geo("within", "Polygon", YOKOHAMA),
    "geo disjoint, either instance": geo("disjoint", "Polygon", YOKOHAMA),
    "geo contains, a line": geo("contains", "Point", [139.61, 35.46]),
    "geo area near Tokyo": geo("near;maxDistance==10", "Point", TOKYO, geoproperty="area"),
    "geo near a line, min distance": geo("near;minDistance==2000", "LineString", [STATION, TOKYO]),
    "ids": {"id": f"{E}x1,{E}e2,{E}nothing"},
    "attrs": {"attrs": "temperature,occupancy"},
    "ids and types": {"id": f"{E}x1,{E}x3,{E}e2", "type": "Sensor,CrowdFlowObserved"},
    "everything": {
        "type": "Sensor,CrowdFlowObserved",
        "idPattern": "Test:[ex]",
        "attrs": "temperature,peopleCount",
        "q": "temperature>0|peopleCount<100",
        "scopeQ": "/Kanagawa/#,/Tokyo/#",
        **geo("within", "Polygon", YOKOHAMA),
    },
}


def entity_query(params: dict[str, Any]) -> EntityQuery:
    """The EntityQuery of GET /entities parameters, built as the router builds it."""
    selector = Selector(
        ids=tuple(split_list(params.get("id"), "id")),
        id_pattern=params.get("idPattern"),
        types=parse_types(params["type"]) if "type" in params else None,
    )
    return EntityQuery(
        selectors=(selector,) if (selector.ids or selector.id_pattern or selector.types) else (),
        attrs=frozenset(split_list(params.get("attrs"), "attrs")),
        q=parse_q(params["q"]) if "q" in params else None,
        scope_q=parse_scope_query(params["scopeQ"]) if "scopeQ" in params else None,
        geo=parse_geo_query(
            params.get("georel"),
            params.get("geometry"),
            params.get("coordinates"),
            params.get("geoproperty"),
        ),
    )


@pytest.fixture
async def records(client: httpx.AsyncClient, app: FastAPI) -> list[EntityRecord]:
    """DATASET and EXTRA stored, then read back as the repository returns them."""
    response = await client.post(
        "/ngsi-ld/v1/entityOperations/create", json=DATASET + EXTRA, headers=headers()
    )
    assert response.status_code == 201, response.text
    async with app.state.db.read_session() as session:
        repo = QueryRepository.of(session, Access.system("default"))
        found = (
            await repo.find(
                EntityQuery(), app.state.contexts.core, limit=1000, offset=0, count=False
            )
        ).records
    assert len(found) == len(DATASET) + len(EXTRA)
    return found


def accepted(records: list[EntityRecord], query: EntityQuery, app: FastAPI) -> list[str]:
    matches = compile_matcher(query, app.state.contexts.core)
    return sorted(r.id.removeprefix(E) for r in records if matches(r))


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
async def test_matcher_accepts_what_the_query_returns(
    client: httpx.AsyncClient, app: FastAPI, records: list[EntityRecord], params: dict[str, Any]
) -> None:
    returned = await ids(client, **params)
    assert accepted(records, entity_query(params), app) == sorted(returned)
    if "q" in params and params["q"] in EXTRA_Q:
        assert returned == EXTRA_Q[params["q"]]


POST_QUERIES: dict[str, dict[str, Any]] = {
    "two selectors": {
        "entities": [{"type": "Camera"}, {"id": E + "e1"}, {"idPattern": "x4$"}],
    },
    "selector with everything": {
        "entities": [{"id": [E + "x1", E + "x2"], "idPattern": "x", "type": "Sensor;Camera"}],
    },
    "selectors with q and geoQ": {
        "entities": [{"type": "Sensor"}, {"type": "CrowdFlowObserved"}],
        "q": "temperature>0|peopleCount>0",
        "geoQ": {"georel": "near;maxDistance==5000", "geometry": "Point", "coordinates": STATION},
    },
    "empty selector": {"entities": [{}], "scopeQ": "/Tokyo/#"},
}


@pytest.mark.parametrize("body", POST_QUERIES.values(), ids=POST_QUERIES.keys())
async def test_matcher_accepts_what_the_post_query_returns(
    client: httpx.AsyncClient, app: FastAPI, records: list[EntityRecord], body: dict[str, Any]
) -> None:
    body = {"type": "Query", **body}
    response = await client.post(
        "/ngsi-ld/v1/entityOperations/query", json=body, params={"limit": 100}, headers=headers()
    )
    assert response.status_code == 200, response.text
    returned = sorted(e["id"].removeprefix(E) for e in response.json())
    assert accepted(records, query_from_body(body), app) == returned


async def test_cases_select_some_entities_and_not_others(
    client: httpx.AsyncClient, app: FastAPI, records: list[EntityRecord]
) -> None:
    """The agreement above is not vacuous: most cases split the dataset."""
    sizes = [len(accepted(records, entity_query(params), app)) for params in CASES.values()]
    splitting = [n for n in sizes if 0 < n < len(records)]
    assert len(splitting) > 0.8 * len(sizes)
    response = await client.get(ENTITIES, params={"limit": 100, "local": "true"})
    assert len(response.json()) == len(records)
