"""scopeQ and geo-queries on Query Temporal Evolution of Entities (GET and POST): evaluated on
the entities' current state, like id, type, attrs and q."""

import httpx

from tests.broker.entities.helpers import assert_problem, create, headers, people_flow
from tests.broker.temporal.helpers import TEMPORAL, count_at

STATION = "urn:ngsi-ld:CrowdFlowObserved:yokohama-station"
KAWASAKI = "urn:ngsi-ld:CrowdFlowObserved:kawasaki-station"
YOKOHAMA_POINT = {"type": "Point", "coordinates": [139.6222, 35.4658]}
KAWASAKI_POINT = {"type": "Point", "coordinates": [139.6969, 35.5308]}


async def _two_stations(client: httpx.AsyncClient) -> None:
    for entity_id, point, scope in (
        (STATION, YOKOHAMA_POINT, "/Kanagawa/Yokohama"),
        (KAWASAKI, KAWASAKI_POINT, "/Kanagawa/Kawasaki"),
    ):
        body = people_flow(
            entity_id,
            peopleCount=count_at(7, "2026-11-22T09:00:00Z"),
            location={"type": "GeoProperty", "value": point},
            scope=scope,
        )
        await create(client, body)


async def _ids(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(TEMPORAL, params=params, headers=headers())
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()]


async def test_scope_query_selects_the_temporal_entities(client: httpx.AsyncClient) -> None:
    await _two_stations(client)
    assert await _ids(client, scopeQ="/Kanagawa/Yokohama") == [STATION]
    assert sorted(await _ids(client, scopeQ="/Kanagawa/#")) == sorted([KAWASAKI, STATION])


async def test_geo_query_selects_the_temporal_entities(client: httpx.AsyncClient) -> None:
    await _two_stations(client)
    near = await _ids(
        client,
        georel="near;maxDistance==2000",
        geometry="Point",
        coordinates="[139.6222,35.4658]",
    )
    assert near == [STATION]


async def test_post_query_geo_q_and_scope_q(client: httpx.AsyncClient) -> None:
    await _two_stations(client)
    geo_q = {"georel": "near;maxDistance==2000", "geometry": "Point"}
    body = {"type": "Query", "geoQ": geo_q | {"coordinates": [139.6969, 35.5308]}}
    url = "/ngsi-ld/v1/temporal/entityOperations/query"
    response = await client.post(url, json=body, headers=headers())
    assert [e["id"] for e in response.json()] == [KAWASAKI]
    scoped = {"type": "Query", "scopeQ": "/Kanagawa/Yokohama"}
    response = await client.post(url, json=scoped, headers=headers())
    assert [e["id"] for e in response.json()] == [STATION]


async def test_malformed_geo_or_scope_query_is_bad_request(client: httpx.AsyncClient) -> None:
    await _two_stations(client)
    for params in (
        {"scopeQ": "Kanagawa"},
        {"georel": "near;maxDistance==2000", "geometry": "Point", "coordinates": "[1]"},
        {"georel": "beside", "geometry": "Point", "coordinates": "[139.6,35.4]"},
    ):
        response = await client.get(TEMPORAL, params=params, headers=headers())
        assert_problem(response, 400, "BadRequestData")
