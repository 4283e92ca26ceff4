"""Notifications to a real HTTP receiver on loopback: each trigger, each filter, the formats."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from tests.auth.helpers import bearer
from tests.broker.subscriptions.helpers import (
    ENTITIES,
    SENSOR_ID,
    SUBSCRIPTIONS,
    Receiver,
    create_entity,
    eventually,
    headers,
    received,
    receiver,
    set_count,
    subscribe,
    subscription,
)

OTHER_ID = "urn:ngsi-ld:CrowdFlowObserved:other"


async def _settle() -> None:
    """Time for a notification that should not come to arrive anyway."""
    await asyncio.sleep(0.5)


def _ids(target: Receiver) -> list[str]:
    return [entity["id"] for entity in target.entities()]


async def test_update_is_notified_with_the_notification_data_type(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as target:
        subscription_id = await subscribe(client, target.url)
        await set_count(client, 500)
        (notification,) = await received(target)
        assert notification["type"] == "Notification"
        assert notification["id"].startswith("urn:ngsi-ld:Notification:")
        assert notification["subscriptionId"] == subscription_id
        assert notification["notifiedAt"].endswith("Z")
        (entity,) = notification["data"]
        assert entity["id"] == SENSOR_ID
        assert entity["type"] == "CrowdFlowObserved"
        assert entity["peopleCount"]["value"] == 500
        assert target.headers[0]["content-type"] == "application/json"
        assert "ngsi-ld-core-context" in target.headers[0]["link"]


async def test_creation_notifies_by_default_and_with_entity_created(
    client: httpx.AsyncClient,
) -> None:
    with receiver() as default, receiver() as created:
        await subscribe(client, default.url)
        await subscribe(client, created.url, notificationTrigger=["entityCreated"])
        await create_entity(client)
        await received(default)
        await received(created)
        await set_count(client, 1)
        await received(default, 2)
        await _settle()
        assert len(created.notifications) == 1


async def test_deletion_notifies_entity_deleted_only_when_asked(client: httpx.AsyncClient) -> None:
    await create_entity(client)
    with receiver() as deleted, receiver() as default:
        await subscribe(client, deleted.url, notificationTrigger=["entityDeleted"])
        await subscribe(client, default.url)
        response = await client.delete(f"{ENTITIES}/{SENSOR_ID}", headers=headers())
        assert response.status_code == 204
        (notification,) = await received(deleted)
        (entity,) = notification["data"]
        assert entity["id"] == SENSOR_ID
        assert entity["type"] == "CrowdFlowObserved"
        assert "deletedAt" in entity
        await _settle()
        assert default.notifications == []


async def test_attribute_triggers_fire_on_their_own_kind_of_change(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as on_created, receiver() as on_deleted, receiver() as on_updated:
        await subscribe(client, on_created.url, notificationTrigger=["attributeCreated"])
        await subscribe(client, on_deleted.url, notificationTrigger=["attributeDeleted"])
        await subscribe(client, on_updated.url, notificationTrigger=["attributeUpdated"])
        response = await client.post(
            f"{ENTITIES}/{SENSOR_ID}/attrs",
            json={"occupancy": {"type": "Property", "value": 3}},
            headers=headers(),
        )
        assert response.status_code == 204
        await received(on_created)
        response = await client.delete(f"{ENTITIES}/{SENSOR_ID}/attrs/occupancy", headers=headers())
        assert response.status_code == 204
        await received(on_deleted)
        await set_count(client, 7)
        await received(on_updated)
        await _settle()
        assert len(on_created.notifications) == 1
        assert len(on_deleted.notifications) == 1
        assert len(on_updated.notifications) == 1


async def test_entity_updated_fires_on_any_change(client: httpx.AsyncClient) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url, notificationTrigger=["entityUpdated"])
        await set_count(client, 9)
        await received(target)
        await client.delete(f"{ENTITIES}/{SENSOR_ID}/attrs/congested", headers=headers())
        await received(target, 2)


async def test_watched_attributes_limit_what_notifies(client: httpx.AsyncClient) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url, watchedAttributes=["congested"])
        await set_count(client, 42)
        response = await client.patch(
            f"{ENTITIES}/{SENSOR_ID}/attrs",
            json={"congested": {"type": "Property", "value": True}},
            headers=headers(),
        )
        assert response.status_code == 204
        (notification,) = await received(target)
        assert notification["data"][0]["congested"]["value"] is True
        await _settle()
        assert len(target.notifications) == 1


async def _only_matching_notify(
    client: httpx.AsyncClient, target: Receiver, matching: dict[str, Any], other: dict[str, Any]
) -> None:
    await create_entity(client, id=OTHER_ID, **other)
    await create_entity(client, **matching)
    await received(target)
    await _settle()
    assert _ids(target) == [SENSOR_ID]


async def test_q_filters_notifications(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        await subscribe(client, target.url, q="peopleCount>100;congested==false")
        await _only_matching_notify(
            client,
            target,
            {"peopleCount": {"type": "Property", "value": 150}},
            {"peopleCount": {"type": "Property", "value": 50}},
        )


async def test_geo_query_filters_notifications(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        await subscribe(
            client,
            target.url,
            geoQ={
                "georel": "near;maxDistance==1000",
                "geometry": "Point",
                "coordinates": [139.6222, 35.4658],
            },
        )
        far = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [135.5, 34.7]}}
        await _only_matching_notify(client, target, {}, {"location": far})


async def test_scope_query_filters_notifications(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        await subscribe(client, target.url, scopeQ="/kanagawa/#")
        await _only_matching_notify(
            client, target, {"scope": "/kanagawa/yokohama"}, {"scope": "/osaka"}
        )


async def test_id_and_id_pattern_select_entities(client: httpx.AsyncClient) -> None:
    with receiver() as by_id, receiver() as by_pattern:
        await subscribe(
            client, by_id.url, entities=[{"id": SENSOR_ID, "type": "CrowdFlowObserved"}]
        )
        await subscribe(
            client,
            by_pattern.url,
            entities=[{"idPattern": "yokohama", "type": "CrowdFlowObserved"}],
        )
        await _only_matching_notify(client, by_id, {}, {})
        await received(by_pattern)
        assert _ids(by_pattern) == [SENSOR_ID]


async def test_formats_attributes_and_sys_attrs_shape_the_data(client: httpx.AsyncClient) -> None:
    await create_entity(client)
    with receiver() as key_values, receiver() as concise:
        await subscribe(
            client,
            key_values.url,
            notification={
                "endpoint": {"uri": key_values.url},
                "format": "keyValues",
                "attributes": ["peopleCount"],
            },
        )
        await subscribe(
            client,
            concise.url,
            notification={"endpoint": {"uri": concise.url}, "format": "concise", "sysAttrs": True},
        )
        await set_count(client, 77)
        (first,) = (await received(key_values))[0]["data"]
        assert first == {"id": SENSOR_ID, "type": "CrowdFlowObserved", "peopleCount": 77}
        (second,) = (await received(concise))[0]["data"]
        assert second["congested"]["value"] is False  # concise keeps objects with sysAttrs
        assert "type" not in second["congested"]
        assert "createdAt" in second and "modifiedAt" in second


async def test_show_changes_adds_the_previous_value(client: httpx.AsyncClient) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(
            client,
            target.url,
            notification={"endpoint": {"uri": target.url}, "showChanges": True},
        )
        await set_count(client, 300)
        (entity,) = (await received(target))[0]["data"]
        assert entity["peopleCount"]["value"] == 300
        assert entity["peopleCount"]["previousValue"] == 120


async def test_ld_json_endpoint_gets_context_receiver_info_and_tenant(
    client: httpx.AsyncClient,
) -> None:
    with receiver() as target:
        body = {
            "type": "Subscription",
            "entities": [{"type": "CrowdFlowObserved"}],
            "notification": {
                "endpoint": {
                    "uri": target.url,
                    "accept": "application/ld+json",
                    "receiverInfo": [{"key": "X-Auth-Token", "value": "secret-1"}],
                }
            },
        }
        response = await client.post(SUBSCRIPTIONS, json=body, headers=headers("yokohama"))
        assert response.status_code == 201, response.text
        response = await client.post(
            ENTITIES,
            json={"id": SENSOR_ID, "type": "CrowdFlowObserved"},
            headers=headers("yokohama"),
        )
        assert response.status_code == 201
        (notification,) = await received(target)
        assert "ngsi-ld-core-context" in str(notification["@context"])
        assert target.headers[0]["content-type"] == "application/ld+json"
        assert target.headers[0]["x-auth-token"] == "secret-1"
        assert target.headers[0]["ngsild-tenant"] == "yokohama"


async def test_changes_in_other_tenants_do_not_notify(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        await subscribe(client, target.url)
        response = await client.post(
            ENTITIES,
            json={"id": OTHER_ID, "type": "CrowdFlowObserved"},
            headers=headers("kawasaki"),
        )
        assert response.status_code == 201
        await create_entity(client)
        await received(target)
        await _settle()
        assert _ids(target) == [SENSOR_ID]


async def test_paused_subscription_does_not_notify_until_resumed(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as target:
        subscription_id = await subscribe(client, target.url, isActive=False)
        await set_count(client, 1)
        await _settle()
        assert target.notifications == []
        response = await client.patch(
            f"{SUBSCRIPTIONS}/{subscription_id}", json={"isActive": True}, headers=headers()
        )
        assert response.status_code == 204
        await set_count(client, 2)
        (notification,) = await received(target)
        assert notification["data"][0]["peopleCount"]["value"] == 2


async def test_status_counts_notifications_sent(client: httpx.AsyncClient) -> None:
    await create_entity(client)
    with receiver() as target:
        subscription_id = await subscribe(client, target.url)
        await set_count(client, 1)
        await received(target)

        async def counted() -> dict[str, Any] | None:
            response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
            body = response.json()["notification"]
            return body if body["timesSent"] == 1 else None

        body = await eventually(counted)
        assert "lastSuccess" in body and "lastNotification" in body


async def test_throttling_defers_changes_to_the_end_of_the_period_keeping_the_latest(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url, throttling=2)
        for value in (1, 2, 3):
            await set_count(client, value)
        first, deferred = await received(target, 2)
        await _settle()
        assert len(target.notifications) == 2
        assert [e["peopleCount"]["value"] for e in first["data"]] == [1]
        assert [e["peopleCount"]["value"] for e in deferred["data"]] == [3]
        assert target.received_at[1] - target.received_at[0] >= 1.5


async def test_time_interval_notifies_periodically_with_current_entities(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url, timeInterval=1)
        await received(target, 1)
        await set_count(client, 555)
        notifications = await received(target, 3, within=15)
        assert notifications[-1]["data"][0]["peopleCount"]["value"] == 555


async def test_a_client_restricted_to_entity_types_is_notified_of_those_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    auth = await bearer(
        anonymous, app, scopes=["ngsi-ld:subscribe"], entity_types=["CrowdFlowObserved"]
    )
    with receiver() as target:
        body = subscription(target.url, entities=[{"type": "CrowdFlowObserved,Building"}])
        created = await anonymous.post(SUBSCRIPTIONS, json=body, headers=headers() | auth)
        assert created.status_code == 201, created.text
        building = {"id": "urn:ngsi-ld:Building:hidden", "type": "Building"}
        response = await client.post(ENTITIES, json=building, headers=headers())
        assert response.status_code == 201
        await create_entity(client)
        await received(target)
        await _settle()
        assert _ids(target) == [SENSOR_ID]
        # an unrestricted admin's change keeps the restriction the subscription was made with
        subscription_id = created.headers["Location"].rsplit("/", 1)[1]
        patched = await client.patch(
            f"{SUBSCRIPTIONS}/{subscription_id}", json={"isActive": True}, headers=headers()
        )
        assert patched.status_code == 204, patched.text
        other = {
            "id": "urn:ngsi-ld:Building:hidden-2",
            "type": "Building",
            "peopleCount": {"type": "Property", "value": 5},
        }
        assert (await client.post(ENTITIES, json=other, headers=headers())).status_code == 201
        await set_count(client, 77)
        await received(target, 2)
        await _settle()
        assert _ids(target) == [SENSOR_ID, SENSOR_ID]
