"""Context source registration subscriptions (clauses 5.11, 6.12-6.13): CRUD, and
notifications over HTTP and MQTT, through the outbox, when registrations appear, change and
vanish. Real HTTP receiver on loopback, real Mosquitto."""

from typing import Any

import httpx
import orjson

from connectors.mqtt.connection import Message, MqttConnection, MqttOptions
from tests.broker.registrations.helpers import (
    REGISTRATIONS,
    SENSOR,
    headers,
    register,
    registration,
)
from tests.broker.subscriptions.helpers import received, receiver, subscription
from tests.mqtt import eventually, require_mosquitto, unique

SUBSCRIPTIONS = "/ngsi-ld/v1/csourceSubscriptions"
URI = "http://127.0.0.1:9/notify"


def csource_subscription(uri: str, **fields: Any) -> dict[str, Any]:
    """A Subscription body: csource subscriptions take the entity subscriptions' shape."""
    return subscription(uri, **fields)


async def subscribe(
    client: httpx.AsyncClient, uri: str, *, tenant: str | None = None, **fields: Any
) -> str:
    response = await client.post(
        SUBSCRIPTIONS, json=csource_subscription(uri, **fields), headers=headers(tenant)
    )
    assert response.status_code == 201, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


async def test_a_csource_subscription_is_created_retrieved_listed_changed_and_deleted(
    client: httpx.AsyncClient,
) -> None:
    subscription_id = await subscribe(client, URI, id="urn:ngsi-ld:Subscription:cs1")
    url = f"{SUBSCRIPTIONS}/{subscription_id}"
    found = (await client.get(url, headers=headers())).json()
    assert found["id"] == "urn:ngsi-ld:Subscription:cs1"
    assert found["status"] == "active"
    assert found["notification"]["timesSent"] == 0
    listed = await client.get(SUBSCRIPTIONS, params={"count": "true"}, headers=headers())
    assert [s["id"] for s in listed.json()] == [subscription_id]
    assert listed.headers["NGSILD-Results-Count"] == "1"
    response = await client.patch(url, json={"isActive": False}, headers=headers())
    assert response.status_code == 204
    assert (await client.get(url, headers=headers())).json()["status"] == "paused"
    assert (await client.delete(url, headers=headers())).status_code == 204
    assert (await client.get(url, headers=headers())).status_code == 404
    assert (await client.delete(url, headers=headers())).status_code == 404


async def test_invalid_csource_subscriptions_are_400(client: httpx.AsyncClient) -> None:
    for body in (
        csource_subscription(URI, type="ContextSourceRegistration"),
        csource_subscription(URI, entities=None),
        csource_subscription("ftp://x/y"),
        csource_subscription(URI, entities=[{"id": SENSOR}]),
        csource_subscription(URI, csf="a=="),
        csource_subscription(URI, timeInterval=10),
        csource_subscription(URI, expiresAt="2001-01-01T00:00:00Z"),
    ):
        response = await client.post(SUBSCRIPTIONS, json=body, headers=headers())
        assert response.status_code == 400, (body, response.text)


async def test_a_csource_subscription_of_another_tenant_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    subscription_id = await subscribe(client, URI, tenant="yokohama")
    url = f"{SUBSCRIPTIONS}/{subscription_id}"
    assert (await client.get(url, headers=headers("kawasaki"))).status_code == 404
    assert (await client.get(SUBSCRIPTIONS, headers=headers("kawasaki"))).json() == []


async def test_http_receiver_is_notified_when_registrations_appear_change_and_vanish(
    client: httpx.AsyncClient,
) -> None:
    with receiver() as target:
        subscription_id = await subscribe(client, target.url, tenant="yokohama")
        registration_id = await register(
            client,
            registration(contextSourceInfo=[{"key": "Authorization", "value": "Bearer s"}]),
            tenant="yokohama",
        )
        await register(  # another type: not selected
            client,
            registration(information=[{"entities": [{"type": "Parking"}]}]),
            tenant="yokohama",
        )
        url = f"{REGISTRATIONS}/{registration_id}"
        response = await client.patch(
            url, json={"description": "moved"}, headers=headers("yokohama")
        )
        assert response.status_code == 204
        response = await client.patch(
            url,
            json={"information": [{"entities": [{"type": "Parking"}]}]},
            headers=headers("yokohama"),
        )
        assert response.status_code == 204
        await client.delete(url, headers=headers("yokohama"))  # no longer selected already
        notifications = await received(target, 3)
    assert [n["triggerReason"] for n in notifications] == [
        "newlyMatching",
        "updated",
        "noLongerMatching",
    ]
    for notification in notifications:
        assert notification["type"] == "Notification"
        assert notification["subscriptionId"] == subscription_id
        (data,) = notification["data"]
        assert data["id"] == registration_id
        assert data["contextSourceInfo"] == [{"key": "Authorization", "value": "********"}]
    assert notifications[1]["data"][0]["description"] == "moved"
    assert "Bearer s" not in str(target.notifications)
    assert target.headers[0]["ngsild-tenant"] == "yokohama"
    found = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers("yokohama"))
    assert found.json()["notification"]["timesSent"] >= 1


async def test_deleting_a_selected_registration_notifies_no_longer_matching(
    client: httpx.AsyncClient,
) -> None:
    with receiver() as target:
        await subscribe(client, target.url, csf='dataProvider=="kawasaki"')
        registration_id = await register(client, registration(dataProvider="kawasaki"))
        await register(client, registration(dataProvider="osaka"))
        await client.delete(f"{REGISTRATIONS}/{registration_id}", headers=headers())
        notifications = await received(target, 2)
    assert [(n["triggerReason"], n["data"][0]["id"]) for n in notifications] == [
        ("newlyMatching", registration_id),
        ("noLongerMatching", registration_id),
    ]


async def test_registrations_of_another_tenant_notify_no_one_here(
    client: httpx.AsyncClient,
) -> None:
    with receiver() as target:
        await subscribe(client, target.url, tenant="yokohama")
        await register(client, registration(), tenant="kawasaki")
        mine = await register(client, registration(), tenant="yokohama")
        (notification,) = await received(target, 1)
    assert notification["data"][0]["id"] == mine


async def test_mqtt_endpoint_is_notified_of_a_new_registration(client: httpx.AsyncClient) -> None:
    url = require_mosquitto()
    topic = unique("renkei/csource")
    messages: list[Message] = []
    listener = MqttConnection(
        MqttOptions.from_url(url, client_id=unique("listener"), manual_ack=False, clean_start=True)
    )
    listener.on_message(topic, messages.append, qos=0)
    async with listener:
        await subscribe(client, f"{url}/{topic}")
        registration_id = await register(client)

        async def arrived() -> list[Message] | None:
            return messages or None

        (message,) = await eventually(arrived)
    notification = orjson.loads(message.payload)["body"]
    assert notification["triggerReason"] == "newlyMatching"
    assert notification["data"][0]["id"] == registration_id


async def test_an_entity_subscription_of_the_same_id_keeps_its_own_notifications(
    client: httpx.AsyncClient,
) -> None:
    same = "urn:ngsi-ld:Subscription:same"
    with receiver() as entities, receiver() as sources:
        response = await client.post(
            "/ngsi-ld/v1/subscriptions",
            json=csource_subscription(entities.url, id=same),
            headers=headers(),
        )
        assert response.status_code == 201, response.text
        await subscribe(client, sources.url, id=same)
        await register(client)
        entity = {"id": SENSOR, "type": "CrowdFlowObserved", "n": {"type": "Property", "value": 1}}
        response = await client.post("/ngsi-ld/v1/entities", json=entity, headers=headers())
        assert response.status_code == 201
        (from_sources,) = await received(sources, 1)
        (from_entities,) = await received(entities, 1)
    assert from_sources["triggerReason"] == "newlyMatching"
    assert "triggerReason" not in from_entities
    assert from_entities["data"][0]["id"] == SENSOR
