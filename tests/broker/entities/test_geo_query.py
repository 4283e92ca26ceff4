"""Geo-queries (clause 4.10) on both stores: every georel, geometry and malformed input."""

from typing import Any

import httpx
import orjson
import pytest

from tests.broker.entities.dataset import STATION, ids
from tests.broker.entities.helpers import ENTITIES, assert_problem

YOKOHAMA = [[[139.5, 35.4], [139.65, 35.4], [139.65, 35.52], [139.5, 35.52], [139.5, 35.4]]]


def geo(georel: str, geometry: str, coordinates: Any, **extra: str) -> dict[str, str]:
    return {
        "georel": georel,
        "geometry": geometry,
        "coordinates": orjson.dumps(coordinates).decode(),
        **extra,
    }


GEO_CASES = {
    "near max 1000 m": (geo("near;maxDistance==1000", "Point", STATION), ["e1"]),
    "near max 2000 m": (geo("near;maxDistance==2000", "Point", STATION), ["e1", "e4"]),
    "near min 5000 m": (geo("near;minDistance==5000", "Point", STATION), ["e2"]),
    "within Yokohama": (geo("within", "Polygon", YOKOHAMA), ["e1", "e3", "e4"]),
    "intersects a corner of e4": (
        geo(
            "intersects",
            "Polygon",
            [
                [
                    [139.64, 35.452],
                    [139.66, 35.452],
                    [139.66, 35.47],
                    [139.64, 35.47],
                    [139.64, 35.452],
                ]
            ],
        ),
        ["e4"],
    ),
    "contains a point in e4": (geo("contains", "Point", [139.64, 35.452]), ["e4"]),
    "disjoint with Yokohama": (geo("disjoint", "Polygon", YOKOHAMA), ["e2"]),
    "equals Kawasaki": (geo("equals", "Point", [139.697, 35.531]), ["e2"]),
    "overlaps e4": (
        geo(
            "overlaps",
            "Polygon",
            [
                [
                    [139.64, 35.452],
                    [139.66, 35.452],
                    [139.66, 35.47],
                    [139.64, 35.47],
                    [139.64, 35.452],
                ]
            ],
        ),
        ["e4"],
    ),
    "near a line": (
        geo("near;maxDistance==300", "LineString", [[139.69, 35.5], [139.69, 35.56]]),
        [],
    ),
    "near a line, farther": (
        geo("near;maxDistance==800", "LineString", [[139.69, 35.5], [139.69, 35.56]]),
        ["e2"],
    ),
    "within a MultiPolygon": (
        geo(
            "within",
            "MultiPolygon",
            [
                YOKOHAMA,
                [
                    [
                        [139.69, 35.52],
                        [139.71, 35.52],
                        [139.71, 35.54],
                        [139.69, 35.54],
                        [139.69, 35.52],
                    ]
                ],
            ],
        ),
        ["e1", "e2", "e3", "e4"],
    ),
    "other geoproperty": (
        geo("near;maxDistance==100", "Point", [139.70, 35.53], geoproperty="area"),
        ["e2"],
    ),
}


@pytest.mark.parametrize(("params", "expected"), GEO_CASES.values(), ids=GEO_CASES.keys())
async def test_geo_query(
    client: httpx.AsyncClient, dataset: None, params: dict[str, str], expected: list[str]
) -> None:
    assert await ids(client, **params) == expected


async def test_geo_query_combines_with_type_q_and_count(
    client: httpx.AsyncClient, dataset: None
) -> None:
    params = {
        **geo("within", "Polygon", YOKOHAMA),
        "type": "CrowdFlowObserved",
        "q": "peopleCount<100",
        "count": "true",
        "limit": 1,
    }
    response = await client.get(ENTITIES, params=params)
    assert [e["id"][-2:] for e in response.json()] == ["e1"]
    assert response.headers["NGSILD-Results-Count"] == "2"  # e3 matches by its camera instance


async def test_geo_query_matches_any_instance_of_the_geoproperty(
    client: httpx.AsyncClient,
) -> None:
    camera = [139.70, 35.60]
    body = {
        "id": "urn:ngsi-ld:Test:m1",
        "type": "T",
        "location": [
            {"type": "GeoProperty", "value": {"type": "Point", "coordinates": STATION}},
            {
                "type": "GeoProperty",
                "datasetId": "urn:ngsi-ld:Dataset:camera",
                "value": {"type": "Point", "coordinates": camera},
            },
        ],
    }
    response = await client.post(ENTITIES, json=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert await ids(client, **geo("near;maxDistance==10", "Point", camera)) == ["m1"]
    assert await ids(client, **geo("within", "Polygon", YOKOHAMA)) == ["m1"]
    assert await ids(client, **geo("contains", "Point", camera)) == ["m1"]


BAD_GEO = {
    "near without distance": geo("near", "Point", STATION),
    "bad distance": {**geo("near;maxDistance==x", "Point", STATION)},
    "unknown georel": geo("around", "Point", STATION),
    "unknown geometry": geo("within", "Circle", STATION),
    "point with one number": geo("near;maxDistance==1", "Point", [139.6]),
    "coordinates not JSON": {"georel": "within", "geometry": "Point", "coordinates": "139,35"},
    "latitude out of range": geo("near;maxDistance==1", "Point", [139.6, 135.0]),
    "open polygon": geo("within", "Polygon", [[[139.5, 35.4], [139.6, 35.4], [139.6, 35.5]]]),
    "georel alone": {"georel": "within"},
    "no coordinates": {"georel": "within", "geometry": "Point"},
}


@pytest.mark.parametrize("params", BAD_GEO.values(), ids=BAD_GEO.keys())
async def test_malformed_geo_query_is_bad_request(
    client: httpx.AsyncClient, dataset: None, params: dict[str, str]
) -> None:
    assert_problem(await client.get(ENTITIES, params=params), 400, "BadRequestData")


async def test_post_query_with_geo_q(client: httpx.AsyncClient, dataset: None) -> None:
    body = {
        "type": "Query",
        "geoQ": {"georel": "near;maxDistance==1000", "geometry": "Point", "coordinates": STATION},
    }
    response = await client.post(
        "/ngsi-ld/v1/entityOperations/query",
        json=body,
        headers={"Content-Type": "application/json"},
    )
    assert [e["id"][-2:] for e in response.json()] == ["e1"]


async def test_the_spatial_index_follows_moves_and_deletes(client: httpx.AsyncClient) -> None:
    from tests.broker.entities.helpers import create, headers, people_flow

    moving = "urn:ngsi-ld:CrowdFlowObserved:moving"
    await create(client, people_flow(moving))  # at Yokohama station
    near_station = geo(
        "near;maxDistance==200", "Point", [139.6222, 35.4658], type="CrowdFlowObserved"
    )
    near_kawasaki = geo(
        "near;maxDistance==200", "Point", [139.697, 35.531], type="CrowdFlowObserved"
    )

    async def found(params: dict[str, str]) -> list[str]:
        response = await client.get(ENTITIES, params=params, headers=headers())
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()]

    assert await found(near_station) == [moving]
    moved = {
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [139.697, 35.531]},
        }
    }
    response = await client.patch(f"{ENTITIES}/{moving}/attrs", json=moved, headers=headers())
    assert response.status_code == 204, response.text
    assert await found(near_station) == []
    assert await found(near_kawasaki) == [moving]
    assert (await client.delete(f"{ENTITIES}/{moving}", headers=headers())).status_code == 204
    assert await found(near_kawasaki) == []
    await create(client, people_flow(moving))
    assert await found(near_station) == [moving]
