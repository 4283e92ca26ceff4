"""Measures over MQTT (IoT Agent JSON topics) become entity updates, against real Mosquitto."""

import logging
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from tests.broker.subscriptions.helpers import received, receiver, subscription
from tests.connectors.helpers import (
    add_device,
    add_group,
    device_connection,
    entity_with,
    publish,
    value,
)
from tests.mqtt import eventually, unique


async def test_every_topic_form_updates_the_device_entity(iot: httpx.AsyncClient) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    d = device["device_id"]
    async with device_connection() as sensor:
        await publish(sensor, f"/{apikey}/{d}/attrs", {"peopleCount": 12})
        await publish(sensor, f"/json/{apikey}/{d}/attrs", {"peopleCountTowards": 7})
        await publish(sensor, f"/{apikey}/{d}/attrs/peopleCountAway", b"5")
        await publish(sensor, f"/json/{apikey}/{d}/attrs/direction", b"inbound")
        entity = await entity_with(
            iot,
            device["entity_name"],
            "peopleCount",
            "peopleCountTowards",
            "peopleCountAway",
            "direction",
        )
    assert device["entity_name"] == f"urn:ngsi-ld:CrowdFlowObserved:{d}"
    assert entity["type"] == "CrowdFlowObserved"
    assert [value(entity, a) for a in ("peopleCount", "peopleCountTowards")] == [12, 7]
    assert (value(entity, "peopleCountAway"), value(entity, "direction")) == (5, "inbound")


async def test_multi_measure_keeps_the_latest_and_timestamps_become_observed_at(
    iot: httpx.AsyncClient,
) -> None:
    apikey = await add_group(
        iot,
        attributes=[
            {"object_id": "c", "name": "peopleCount", "type": "Integer"},
            {"object_id": "ts", "name": "TimeInstant", "type": "DateTime"},
        ],
    )
    device = await add_device(iot, apikey=apikey)
    measures = [
        {"c": 3, "ts": "2026-11-24T09:00:00Z"},
        {"c": 9, "ts": "2026-11-24T09:05:00+09:00"},
    ]
    async with device_connection() as sensor:
        await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", measures)
        entity = await entity_with(iot, device["entity_name"], "peopleCount")
    assert value(entity, "peopleCount") == 9
    assert entity["peopleCount"]["observedAt"] == "2026-11-24T00:05:00.000Z"
    assert "c" not in entity and "ts" not in entity


async def test_measure_without_timestamp_is_observed_at_its_arrival(
    iot: httpx.AsyncClient,
) -> None:
    apikey = await add_group(iot, timestamp=True)
    device = await add_device(iot, apikey=apikey)
    before = datetime.now(UTC)
    async with device_connection() as sensor:
        await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", {"occupancy": 0.4})
        entity = await entity_with(iot, device["entity_name"], "occupancy", "TimeInstant")
    observed = datetime.fromisoformat(entity["occupancy"]["observedAt"].replace("Z", "+00:00"))
    assert before.replace(microsecond=0) <= observed <= datetime.now(UTC)
    assert entity["TimeInstant"]["value"]["@value"] == entity["occupancy"]["observedAt"]


async def test_unknown_apikey_and_unknown_device_are_dropped_and_counted(
    iot: httpx.AsyncClient, mqtt_app: FastAPI
) -> None:
    stats = mqtt_app.state.iot.stats
    unknown_keys = stats.totals["unknownApikeys"]
    apikey = await add_group(iot, autoprovision=False)
    known = await add_device(iot, apikey=apikey)
    stranger = unique("stranger")
    async with device_connection() as sensor:
        await publish(sensor, f"/{unique('nokey')}/{stranger}/attrs", {"peopleCount": 1})
        await publish(sensor, f"/{apikey}/{stranger}/attrs", {"peopleCount": 1})
        await publish(sensor, f"/{apikey}/{known['device_id']}/attrs", {"peopleCount": 2})
        await entity_with(iot, known["entity_name"], "peopleCount")
    # messages are handled in order: the two before the known device's are counted by now
    assert stats.totals["unknownApikeys"] >= unknown_keys + 1
    groups = (await iot.get("/iot/services", params={"limit": 1000})).json()["services"]
    (group,) = [g for g in groups if g["apikey"] == apikey]
    assert group["stats"]["unknownDevices"] == 1
    assert group["stats"]["received"] == 1
    assert group["stats"]["acknowledged"] == 2
    assert (await iot.get(f"/iot/devices/{stranger}")).status_code == 404
    missing = await iot.get(f"/ngsi-ld/v1/entities/urn:ngsi-ld:CrowdFlowObserved:{stranger}")
    assert missing.status_code == 404


async def test_malformed_payload_is_logged_with_its_topic_and_counted_per_group(
    iot: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    topic = f"/{apikey}/{device['device_id']}/attrs"
    caplog.set_level(logging.WARNING, logger="renkei")
    async with device_connection() as sensor:
        await publish(sensor, topic, b"{not json")
        await publish(sensor, topic, [1, 2])
        await publish(sensor, topic, {"peopleCount": "many"})
        await publish(sensor, topic, {"peopleCount": 4})
        entity = await entity_with(iot, device["entity_name"], "peopleCount")
    assert value(entity, "peopleCount") == 4
    assert sum(topic in r.getMessage() for r in caplog.records) == 3
    device_now = (await iot.get(f"/iot/devices/{device['device_id']}")).json()
    assert device_now["stats"] == {"received": 2, "malformed": 3, "failed": 0}
    groups = (await iot.get("/iot/services", params={"limit": 1000})).json()["services"]
    (group,) = [g for g in groups if g["apikey"] == apikey]
    assert group["stats"]["malformed"] == 3


async def test_unknown_device_of_an_autoprovisioning_group_is_provisioned(
    iot: httpx.AsyncClient,
) -> None:
    apikey = await add_group(iot, entity_type="PeopleCounter")
    device_id = unique("auto")
    async with device_connection() as sensor:
        await publish(sensor, f"/json/{apikey}/{device_id}/attrs", {"peopleCount": 31})
        entity = await entity_with(iot, f"urn:ngsi-ld:PeopleCounter:{device_id}", "peopleCount")
    assert value(entity, "peopleCount") == 31
    device = (await iot.get(f"/iot/devices/{device_id}")).json()
    assert device["autoprovisioned"] is True
    assert (device["apikey"], device["entity_type"]) == (apikey, "PeopleCounter")
    assert device["lastSeen"] is not None and device["stale"] is False


async def test_command_round_trip_is_reflected_in_status_and_info(
    iot: httpx.AsyncClient,
) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey, commands=[{"name": "reset"}])
    d = device["device_id"]
    received: list[bytes] = []
    async with device_connection() as sensor:
        await sensor.subscribe(f"/{apikey}/{d}/cmd", lambda m: received.append(m.payload))
        response = await iot.post(f"/iot/devices/{d}/commands", json={"reset": 1})
        assert response.status_code == 202, response.text
        pending = await entity_with(iot, device["entity_name"], "reset_status")
        assert value(pending, "reset_status") == "PENDING"

        async def command_arrived() -> bool:
            return bool(received)

        await eventually(command_arrived)
        assert received == [b'{"reset":1}']
        await publish(sensor, f"/json/{apikey}/{d}/cmdexe", {"reset": "done"})

        async def executed() -> dict[str, object] | None:
            entity = await entity_with(iot, device["entity_name"], "reset_info")
            return entity if value(entity, "reset_status") == "OK" else None

        entity = await eventually(executed)
    assert value(entity, "reset_info") == "done"
    unknown = await iot.post(f"/iot/devices/{d}/commands", json={"explode": 1})
    assert unknown.status_code == 400


async def test_each_ingestion_batch_is_in_the_audit_log_with_its_entities(
    iot: httpx.AsyncClient,
) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    async with device_connection() as sensor:
        await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", {"peopleCount": 8})
        await entity_with(iot, device["entity_name"], "peopleCount")

    async def audited() -> list[dict[str, object]]:
        response = await iot.get(
            "/audit/v1/records", params={"tenant": "yokohama", "method": "MQTT", "limit": 1000}
        )
        assert response.status_code == 200, response.text
        return [r for r in response.json() if device["entity_name"] in r["entityIds"]]

    (record,) = await eventually(audited)
    assert (record["kind"], record["subject"], record["status"]) == ("write", "renkei", 200)


async def test_measures_over_mqtt_fire_subscriptions(iot: httpx.AsyncClient) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    with receiver() as target:
        response = await iot.post(
            "/ngsi-ld/v1/subscriptions",
            json=subscription(target.url, watchedAttributes=["peopleCount"]),
        )
        assert response.status_code == 201, response.text
        async with device_connection() as sensor:
            await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", {"peopleCount": 41})
            (notification, *_) = await received(target)
    (entity,) = notification["data"]
    assert entity["id"] == device["entity_name"]
    assert entity["peopleCount"]["value"] == 41
