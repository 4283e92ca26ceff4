"""Every route answers the same with and without a trailing slash, with no redirect.

Standard clients (the FIWARE IoT Agent's NGSI-LD mode, ETSI's conformance suite) send
`/entities/`, `/entityOperations/upsert/` and `/subscriptions/`; a redirect costs them a round
trip per measure and loses the body in some.
"""

import httpx
import pytest
from fastapi import FastAPI

from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, headers, people_flow


async def test_create_entity_with_trailing_slash_is_created(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{ENTITIES}/", json=people_flow(), headers=headers())
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{ENTITIES}/{SENSOR_ID}"
    fetched = await client.get(f"{ENTITIES}/{SENSOR_ID}/", headers=headers())
    assert fetched.status_code == 200
    assert fetched.json()["id"] == SENSOR_ID


async def test_batch_upsert_with_trailing_slash_is_applied(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/ngsi-ld/v1/entityOperations/upsert/", json=[people_flow()], headers=headers()
    )
    assert response.status_code in (201, 204), response.text
    fetched = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers())
    assert fetched.status_code == 200


async def test_subscriptions_list_with_trailing_slash_is_the_list(
    client: httpx.AsyncClient,
) -> None:
    plain = await client.get("/ngsi-ld/v1/subscriptions", headers=headers())
    slashed = await client.get("/ngsi-ld/v1/subscriptions/", headers=headers())
    assert plain.status_code == slashed.status_code == 200
    assert slashed.json() == plain.json()


async def test_no_route_of_the_app_redirects_its_slashed_form(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Each documented path, called with a trailing slash, is routed (never 307/308, nor the
    404/405 of an unmatched path: a matched route's own 404 says what is missing)."""
    checked = 0
    for path, operations in app.openapi()["paths"].items():
        if "{" in path:
            continue
        method = sorted(operations)[0].upper()
        response = await client.request(method, path + "/", headers=headers())
        assert response.status_code not in (307, 308, 405), (method, path)
        if response.status_code == 404:
            assert response.json().get("detail") != "Not Found", (method, path)
        checked += 1
    assert checked > 10


@pytest.mark.parametrize(
    ("path", "params"),
    [("/ngsi-ld/v1/entities//", {"type": "T"}), ("/ngsi-ld/v1/types/", {"details": "false"})],
)
async def test_repeated_trailing_slashes_are_one(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params, headers=headers())
    assert response.status_code == 200, response.text
