"""A small, varied set of people-flow and parking entities for query tests."""

from typing import Any

import httpx

from tests.broker.entities.helpers import ENTITIES

E = "urn:ngsi-ld:Test:"
STATION = [139.6225, 35.4660]
POLYGON = [
    [[139.635, 35.450], [139.645, 35.450], [139.645, 35.455], [139.635, 35.455], [139.635, 35.450]]
]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}}


DATASET: list[dict[str, Any]] = [
    {
        "id": E + "e1",
        "type": "CrowdFlowObserved",
        "scope": "/Kanagawa/Yokohama/Nishi",
        "peopleCount": {
            "type": "Property",
            "value": 10,
            "observedAt": "2026-11-22T08:00:00Z",
            "unitCode": "C62",
        },
        "congested": False,
        "direction": "inbound",
        "name": "Yokohama Station East",
        "location": point(*STATION),
        "refRoadSegment": {"type": "Relationship", "object": "urn:ngsi-ld:RoadSegment:1"},
        "settings": {"type": "Property", "value": {"mode": "auto", "threshold": 300}},
        "dateObserved": {
            "type": "Property",
            "value": {"@type": "DateTime", "@value": "2026-11-22T08:00:00Z"},
        },
    },
    {
        "id": E + "e2",
        "type": "CrowdFlowObserved",
        "scope": "/Kanagawa/Kawasaki",
        "peopleCount": 50,
        "congested": True,
        "direction": "outbound",
        "name": "Kawasaki Station",
        "location": point(139.697, 35.531),
        "refRoadSegment": {"type": "Relationship", "object": "urn:ngsi-ld:RoadSegment:2"},
        "settings": {"type": "Property", "value": {"mode": "manual", "threshold": 100}},
        "area": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [139.70, 35.53]},
        },
    },
    {
        "id": E + "e3",
        "type": ["CrowdFlowObserved", "Device"],
        "scope": "/Kanagawa/Yokohama/Kohoku",
        "peopleCount": [
            {"type": "Property", "value": 120},
            {"type": "Property", "value": 90, "datasetId": "urn:ngsi-ld:Dataset:camera"},
        ],
        "name": "Shin-Yokohama",
        "location": point(139.617, 35.507),
        "tags": {"type": "Property", "value": ["a", "b"]},
    },
    {
        "id": E + "e4",
        "type": "ParkingSpot",
        "occupancy": 0.5,
        "name": "Minato Mirai parking",
        "location": {"type": "GeoProperty", "value": {"type": "Polygon", "coordinates": POLYGON}},
    },
    {"id": E + "e5", "type": "Device", "peopleCount": "n/a"},
]


async def ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    # local=true: a query may name only ids (or nothing) and still list every local match
    response = await client.get(ENTITIES, params={"limit": 100, "local": "true", **params})
    assert response.status_code == 200, response.text
    return [e["id"].removeprefix(E) for e in response.json()]
