"""Identifiers (clauses 4.5.1 and 5.2.4: an entity's or subscription's id is a URI).

An id that is not an absolute URI, or that holds a control character or a character that hides
or reorders text (bidi override, zero-width space, byte-order mark, variation selector,
noncharacter), is refused with 400 BadRequestData before anything is stored, on every write
path (clause 6.3.5 error types; batch operations report it per entity, clause 5.6.7 ff). IRIs
with non-ASCII letters are ids like any other; their Location header is percent-encoded.
"""

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from broker.core.errors import ETSI_ERRORS, BadRequestData
from broker.entities.attributes import check_uri
from tests.broker.entities.helpers import ENTITIES, assert_problem, headers, people_flow
from tests.broker.subscriptions.helpers import SUBSCRIPTIONS, subscription

OPERATIONS = "/ngsi-ld/v1/entityOperations"
GOOD_ID = "urn:ngsi-ld:CrowdFlowObserved:yokohama-station-2"
PREFIX = "urn:ngsi-ld:CrowdFlowObserved:yokohama"

# Characters a URI grammar with only "no spaces, no <>\"{}|\\^`" let through before.
HIDDEN = {
    "NUL": "\x00",
    "start of heading": "\x01",
    "escape": "\x1b",
    "DEL": "\x7f",
    "C1 control CSI": "\x9b",
    "zero width space U+200B": "\u200b",
    "right-to-left override U+202E": "\u202e",
    "byte order mark U+FEFF": "\ufeff",
    "language tag U+E0001": "\U000e0001",
    "variation selector U+FE0F": "\ufe0f",
    "variation selector U+E0100": "\U000e0100",
    "noncharacter U+FDD0": "\ufdd0",
    "noncharacter U+FFFE": "\ufffe",
    "noncharacter U+1FFFF": "\U0001ffff",
}
BAD_IDS = {name: f"{PREFIX}{char}-station" for name, char in HIDDEN.items()}
BAD_IDS["malformed percent-encoding"] = f"{PREFIX}%zz"
BAD_IDS["percent sign at the end"] = f"{PREFIX}%"
bad_ids = pytest.mark.parametrize("bad_id", list(BAD_IDS.values()), ids=list(BAD_IDS))


def _path(entity_id: str) -> str:
    return f"{ENTITIES}/{quote(entity_id, safe=':')}"


async def _stored_ids(client: httpx.AsyncClient) -> list[str]:
    response = await client.get(ENTITIES, params={"type": "CrowdFlowObserved"}, headers=headers())
    assert response.status_code == 200, response.text
    return [entity["id"] for entity in response.json()]


def _assert_refused_in_batch(response: httpx.Response, bad_id: str) -> None:
    assert response.status_code == 207, response.text
    body = response.json()
    assert body["success"] == []
    assert [e["entityId"] for e in body["errors"]] == [bad_id]
    assert body["errors"][0]["error"]["type"] == ETSI_ERRORS + "BadRequestData"


@bad_ids
async def test_create_entity_with_unacceptable_id_is_refused_and_not_stored(
    client: httpx.AsyncClient, bad_id: str
) -> None:
    response = await client.post(ENTITIES, json=people_flow(bad_id), headers=headers())
    assert_problem(response, 400, "BadRequestData")
    assert await _stored_ids(client) == []


@bad_ids
@pytest.mark.parametrize("operation", ["create", "upsert"])
async def test_batch_create_or_upsert_refuses_the_unacceptable_id_alone(
    client: httpx.AsyncClient, bad_id: str, operation: str
) -> None:
    """5.6.7 / 5.6.8: the bad entity is an error of the batch; the good one is stored."""
    items = [people_flow(GOOD_ID), people_flow(bad_id)]
    response = await client.post(f"{OPERATIONS}/{operation}", json=items, headers=headers())
    assert response.status_code == 207, response.text
    body = response.json()
    assert body["success"] == [GOOD_ID]
    assert [e["entityId"] for e in body["errors"]] == [bad_id]
    assert body["errors"][0]["error"]["type"] == ETSI_ERRORS + "BadRequestData"
    assert await _stored_ids(client) == [GOOD_ID]


@bad_ids
async def test_batch_update_refuses_an_unacceptable_id(
    client: httpx.AsyncClient, bad_id: str
) -> None:
    """5.6.9 Batch Entity Update."""
    response = await client.post(
        f"{OPERATIONS}/update", json=[people_flow(bad_id)], headers=headers()
    )
    _assert_refused_in_batch(response, bad_id)
    assert await _stored_ids(client) == []


@bad_ids
async def test_batch_delete_refuses_an_unacceptable_id(
    client: httpx.AsyncClient, bad_id: str
) -> None:
    """5.6.10 Batch Entity Delete: the body is an array of ids."""
    response = await client.post(f"{OPERATIONS}/delete", json=[bad_id], headers=headers())
    _assert_refused_in_batch(response, bad_id)


PATH_WRITES: dict[str, tuple[str, str, Any]] = {
    "retrieve": ("GET", "", None),
    "append attributes": ("POST", "/attrs", {"congested": {"type": "Property", "value": True}}),
    "update attributes": ("PATCH", "/attrs", {"congested": {"type": "Property", "value": True}}),
    "merge": ("PATCH", "", {"congested": {"type": "Property", "value": True}}),
    "delete": ("DELETE", "", None),
}


@bad_ids
@pytest.mark.parametrize("route", list(PATH_WRITES.values()), ids=list(PATH_WRITES))
async def test_entity_route_with_unacceptable_id_in_the_path_is_refused(
    client: httpx.AsyncClient, bad_id: str, route: tuple[str, str, Any]
) -> None:
    """6.5, 6.6, 6.7: the id in the URL obeys the same rule as in a body."""
    method, suffix, body = route
    response = await client.request(
        method, _path(bad_id) + suffix, json=body, headers=headers() if body else {}
    )
    assert_problem(response, 400, "BadRequestData")
    assert await _stored_ids(client) == []


@bad_ids
async def test_create_subscription_with_unacceptable_id_is_refused_and_not_stored(
    client: httpx.AsyncClient, bad_id: str
) -> None:
    """5.8.1 Create Subscription: its id is a URI too."""
    body = subscription("http://127.0.0.1:9/notify", id=bad_id)
    response = await client.post(SUBSCRIPTIONS, json=body, headers=headers())
    assert_problem(response, 400, "BadRequestData")
    listed = await client.get(SUBSCRIPTIONS, headers=headers())
    assert listed.status_code == 200
    assert listed.json() == []


@bad_ids
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_subscription_route_with_unacceptable_id_in_the_path_is_refused(
    client: httpx.AsyncClient, bad_id: str, method: str
) -> None:
    response = await client.request(method, f"{SUBSCRIPTIONS}/{quote(bad_id, safe=':')}")
    assert_problem(response, 400, "BadRequestData")


@pytest.mark.parametrize("char", ["\ud800", "\udfff"], ids=["high surrogate", "low surrogate"])
def test_an_id_with_a_lone_surrogate_is_not_a_uri(char: str) -> None:
    """Surrogates never reach a route (JSON parsing refuses them, URL decoding replaces them);
    the rule refuses them anyway, naming the code point."""
    with pytest.raises(BadRequestData, match=f"U\\+{ord(char):04X}"):
        check_uri(f"{PREFIX}{char}", "entity id")


JAPANESE_ID = "urn:ngsi-ld:Station:横浜駅"


async def test_entity_with_japanese_letters_in_its_id_is_created_and_read_back(
    client: httpx.AsyncClient,
) -> None:
    """An IRI is a valid id; the Location header (ASCII only) holds it percent-encoded."""
    body = {"id": JAPANESE_ID, "type": "Station", "name": {"type": "Property", "value": "横浜"}}
    response = await client.post(ENTITIES, json=body, headers=headers())
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location == f"{ENTITIES}/urn:ngsi-ld:Station:%E6%A8%AA%E6%B5%9C%E9%A7%85"
    fetched = await client.get(location, headers=headers())
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["id"] == JAPANESE_ID
    assert fetched.json()["name"] == {"type": "Property", "value": "横浜"}


async def test_location_of_an_id_holding_a_percent_sign_leads_back_to_it(
    client: httpx.AsyncClient,
) -> None:
    """A percent-encoded octet in an id stays part of the id: Location encodes the '%'."""
    entity_id = "urn:ngsi-ld:Station:shin%2Fyokohama"
    body = {"id": entity_id, "type": "Station"}
    response = await client.post(ENTITIES, json=body, headers=headers())
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location == f"{ENTITIES}/urn:ngsi-ld:Station:shin%252Fyokohama"
    fetched = await client.get(location, headers=headers())
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["id"] == entity_id


async def test_subscription_with_japanese_letters_in_its_id_has_an_ascii_location(
    client: httpx.AsyncClient,
) -> None:
    subscription_id = "urn:ngsi-ld:Subscription:横浜"
    body = subscription("http://127.0.0.1:9/notify", id=subscription_id)
    response = await client.post(SUBSCRIPTIONS, json=body, headers=headers())
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location == f"{SUBSCRIPTIONS}/urn:ngsi-ld:Subscription:%E6%A8%AA%E6%B5%9C"
    fetched = await client.get(location, headers=headers())
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["id"] == subscription_id
