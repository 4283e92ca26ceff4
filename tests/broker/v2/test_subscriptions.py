"""/v2/subscriptions over the one subscription model and delivery (real receiver on loopback)."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from auth import scopes
from tests.auth.helpers import bearer
from tests.broker.subscriptions.helpers import received, receiver
from tests.broker.v2.helpers import JSON, assert_orion_error, create, fiware, room

SUBS = "/v2/subscriptions"


def v2_subscription(url: str, **notification: Any) -> dict[str, Any]:
    return {
        "description": "rooms",
        "subject": {
            "entities": [{"idPattern": ".*", "type": "Room"}],
            "condition": {"attrs": ["temperature"]},
        },
        "notification": {"http": {"url": url}, "attrs": ["temperature"], **notification},
        "throttling": 0,
    }


async def subscribe(client: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> str:
    response = await client.post(SUBS, json=body, headers=JSON | headers)
    assert response.status_code == 201, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


async def test_v2_write_notifies_in_orion_form(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        sub_id = await subscribe(client, v2_subscription(target.url))
        await create(client, room())
        [notification] = await received(target, 1)
    assert notification == {
        "subscriptionId": sub_id,
        "data": [
            {
                "id": "Room1",
                "type": "Room",
                "temperature": {"type": "Number", "value": 23.5, "metadata": {}},
            }
        ],
    }
    got = (await client.get(f"{SUBS}/{sub_id}")).json()
    assert got["status"] == "active" and got["notification"]["timesSent"] >= 0


async def test_ld_write_notifies_a_v2_subscription_in_key_values(
    client: httpx.AsyncClient,
) -> None:
    with receiver() as target:
        sub_id = await subscribe(client, v2_subscription(target.url, attrsFormat="keyValues"))
        entity = {
            "id": "urn:ngsi-ld:Room:R5",
            "type": "Room",
            "temperature": {"type": "Property", "value": 19},
        }
        ld = await client.post("/ngsi-ld/v1/entities", json=entity, headers=JSON)
        assert ld.status_code == 201
        [notification] = await received(target, 1)
    assert notification["subscriptionId"] == sub_id
    assert notification["data"] == [{"id": "R5", "type": "Room", "temperature": 19}]


async def test_values_format_and_tenant_header(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        body = v2_subscription(target.url, attrsFormat="values")
        await subscribe(client, body, **fiware("yokohama"))
        await create(client, room(), **fiware("yokohama"))
        [notification] = await received(target, 1)
        headers = target.headers[0]
    assert notification["data"] == [[23.5]]
    assert headers["fiware-service"] == "yokohama"


async def test_list_get_patch_delete(client: httpx.AsyncClient) -> None:
    sub_id = await subscribe(client, v2_subscription("http://127.0.0.1:9/notify"))
    listed = await client.get(f"{SUBS}?options=count")
    assert listed.headers["Fiware-Total-Count"] == "1"
    assert [s["id"] for s in listed.json()] == [sub_id]
    got = (await client.get(f"{SUBS}/{sub_id}")).json()
    assert got["subject"]["entities"] == [{"idPattern": ".*", "type": "Room"}]
    assert got["notification"]["http"] == {"url": "http://127.0.0.1:9/notify"}
    assert got["description"] == "rooms"
    patched = await client.patch(
        f"{SUBS}/{sub_id}",
        json={"status": "inactive", "expires": "2099-01-01T00:00:00Z"},
        headers=JSON,
    )
    assert patched.status_code == 204
    got = (await client.get(f"{SUBS}/{sub_id}")).json()
    assert got["status"] == "inactive" and got["expires"].startswith("2099-01-01")
    assert (await client.delete(f"{SUBS}/{sub_id}")).status_code == 204
    assert_orion_error(await client.get(f"{SUBS}/{sub_id}"), 404, "NotFound")
    assert_orion_error(await client.delete(f"{SUBS}/{sub_id}"), 404, "NotFound")


async def test_bad_subscriptions_are_bad_request(client: httpx.AsyncClient) -> None:
    no_subject = {"notification": {"http": {"url": "http://127.0.0.1:9/n"}}}
    assert_orion_error(await client.post(SUBS, json=no_subject, headers=JSON), 400, "BadRequest")
    bad_format = v2_subscription("http://127.0.0.1:9/n", attrsFormat="xml")
    assert_orion_error(await client.post(SUBS, json=bad_format, headers=JSON), 400, "BadRequest")
    mqtt = v2_subscription("http://127.0.0.1:9/n")
    mqtt["notification"] = {"mqtt": {"url": "mqtt://127.0.0.1:1883", "topic": "t"}}
    assert_orion_error(await client.post(SUBS, json=mqtt, headers=JSON), 400, "BadRequest")


async def test_subscription_of_another_tenant_is_not_found(client: httpx.AsyncClient) -> None:
    sub_id = await subscribe(client, v2_subscription("http://127.0.0.1:9/n"), **fiware("yokohama"))
    other = await client.get(f"{SUBS}/{sub_id}", headers=fiware("kawasaki"))
    assert_orion_error(other, 404, "NotFound")
    assert (await client.get(SUBS, headers=fiware("kawasaki"))).json() == []


ROUTES = [
    ("GET", SUBS, None),
    ("POST", SUBS, v2_subscription("http://127.0.0.1:9/n")),
    ("GET", f"{SUBS}/abc", None),
    ("PATCH", f"{SUBS}/abc", {"status": "inactive"}),
    ("DELETE", f"{SUBS}/abc", None),
]


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
async def test_subscription_routes_need_a_token(
    anonymous: httpx.AsyncClient, method: str, url: str, body: object
) -> None:
    assert_orion_error(await anonymous.request(method, url, json=body), 401, "Unauthorized")


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
async def test_subscription_routes_need_the_subscribe_scope(
    app: FastAPI, client: httpx.AsyncClient, method: str, url: str, body: object
) -> None:
    auth = await bearer(client, app, scopes=[scopes.READ, scopes.WRITE])
    response = await client.request(method, url, json=body, headers=auth)
    assert_orion_error(response, 403, "Forbidden")


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
async def test_subscription_routes_refuse_a_tenant_not_granted(
    app: FastAPI, client: httpx.AsyncClient, method: str, url: str, body: object
) -> None:
    auth = await bearer(client, app, tenants=["yokohama"])
    response = await client.request(method, url, json=body, headers=auth | fiware("kawasaki"))
    assert_orion_error(response, 403, "Forbidden")


async def test_http_custom_sends_its_headers_and_query_string(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        body = v2_subscription(target.url)
        body["notification"] = {
            "httpCustom": {"url": target.url, "headers": {"X-City": "yokohama"}, "qs": {"k": "v"}},
            "attrs": ["temperature"],
        }
        sub_id = await subscribe(client, body)
        await create(client, room())
        [notification] = await received(target, 1)
        headers = target.headers[0]
    assert headers["x-city"] == "yokohama"
    assert notification["data"][0]["id"] == "Room1"
    got = (await client.get(f"{SUBS}/{sub_id}")).json()
    assert got["notification"]["httpCustom"]["headers"] == {"X-City": "yokohama"}
    ld = (await client.get(f"/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:{sub_id}")).json()
    assert ld["notification"]["endpoint"]["uri"] == f"{target.url}?k=v"
    switched = {"notification": {"http": {"url": "http://127.0.0.1:9/n"}}}
    response = await client.patch(f"{SUBS}/{sub_id}", json=switched, headers=JSON)
    assert response.status_code == 204
    got = (await client.get(f"{SUBS}/{sub_id}")).json()
    assert got["notification"]["http"] == {"url": "http://127.0.0.1:9/n"}
    assert "httpCustom" not in got["notification"]


async def test_http_custom_payload_templates_are_not_supported(client: httpx.AsyncClient) -> None:
    body = v2_subscription("http://127.0.0.1:9/n")
    body["notification"] = {"httpCustom": {"url": "http://127.0.0.1:9/n", "payload": "${id}"}}
    assert_orion_error(await client.post(SUBS, json=body, headers=JSON), 400, "BadRequest")


async def test_subscription_sees_only_its_service_paths(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        sub_id = await subscribe(client, v2_subscription(target.url), **fiware(path="/a/#"))
        await create(client, room("Outside"), **fiware(path="/b"))
        await create(client, room("Inside"), **fiware(path="/a/x"))
        notifications = await received(target, 1)
        patched = await client.patch(f"{SUBS}/{sub_id}", json={"throttling": 0}, headers=JSON)
        assert patched.status_code == 204
    assert [e["id"] for n in notifications for e in n["data"]] == ["Inside"]
    ld = (await client.get(f"/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:{sub_id}")).json()
    assert ld["scopeQ"] == "/a/#"
