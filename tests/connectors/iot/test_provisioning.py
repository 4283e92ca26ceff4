"""The provisioning API in iotagent-node-lib's shapes: /iot/services and /iot/devices."""

import httpx

from tests.connectors.helpers import add_device, add_group
from tests.mqtt import unique

TENANT = {"Fiware-Service": "yokohama", "Fiware-ServicePath": "/naka"}


async def test_service_groups_are_created_listed_changed_and_deleted(
    client: httpx.AsyncClient,
) -> None:
    apikey = unique("key")
    group = {
        "apikey": apikey,
        "entity_type": "CrowdFlowObserved",
        "cbroker": "http://orion:1026",  # accepted and ignored, as other IoT Agent fields
        "attributes": [{"object_id": "c", "name": "peopleCount", "type": "Integer"}],
        "static_attributes": [{"name": "name", "type": "Text", "value": "Sakuragicho"}],
    }
    created = await client.post("/iot/services", json={"services": [group]}, headers=TENANT)
    assert created.status_code == 201, created.text
    listed = (await client.get("/iot/services", headers=TENANT)).json()
    assert listed["count"] == 1
    (found,) = listed["services"]
    assert (found["service"], found["subservice"], found["resource"]) == (
        "yokohama",
        "/naka",
        "/iot/json",
    )
    assert found["autoprovision"] is True
    assert found["attributes"][0]["name"] == "peopleCount"
    assert set(found["stats"]) >= {"received", "malformed", "unknownDevices", "acknowledged"}
    changed = await client.put(
        "/iot/services",
        params={"apikey": apikey, "resource": "/iot/json"},
        json={"autoprovision": False},
        headers=TENANT,
    )
    assert changed.status_code == 204, changed.text
    listed = (await client.get("/iot/services", headers=TENANT)).json()
    assert listed["services"][0]["autoprovision"] is False
    deleted = await client.delete(
        "/iot/services", params={"apikey": apikey, "resource": "/iot/json"}, headers=TENANT
    )
    assert deleted.status_code == 204
    assert (await client.get("/iot/services", headers=TENANT)).json()["count"] == 0


async def test_duplicate_group_and_apikey_of_another_tenant_are_conflicts(
    client: httpx.AsyncClient,
) -> None:
    apikey = unique("key")
    body = {"services": [{"apikey": apikey}]}
    assert (await client.post("/iot/services", json=body, headers=TENANT)).status_code == 201
    again = await client.post("/iot/services", json=body, headers=TENANT)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["name"] == "DUPLICATE_GROUP"
    other = await client.post("/iot/services", json=body, headers={"Fiware-Service": "kawasaki"})
    # another tenant's key answers exactly as one's own duplicate: no oracle of other keys
    assert other.status_code == 409
    assert other.json() == again.json()
    missing = await client.delete("/iot/services", params={"apikey": "nope"}, headers=TENANT)
    assert (missing.status_code, missing.json()["name"]) == (404, "DEVICE_GROUP_NOT_FOUND")


async def test_devices_get_iot_agent_defaults_and_are_changed_and_deleted(
    client: httpx.AsyncClient,
) -> None:
    client.headers.update(TENANT)
    apikey = await add_group(client, entity_type="CrowdFlowObserved")
    device = await add_device(client, apikey=apikey)
    assert device["entity_name"] == f"urn:ngsi-ld:CrowdFlowObserved:{device['device_id']}"
    assert (device["service"], device["service_path"]) == ("yokohama", "/naka")
    assert (device["lastSeen"], device["stale"], device["transport"]) == (None, True, "MQTT")
    named = await add_device(client, entity_name="urn:ngsi-ld:Thing:x", entity_type="Thing")
    listed = (await client.get("/iot/devices")).json()
    assert listed["count"] == 2
    assert {d["device_id"] for d in listed["devices"]} == {
        device["device_id"],
        named["device_id"],
    }
    duplicate = await client.post(
        "/iot/devices", json={"devices": [{"device_id": named["device_id"]}]}
    )
    assert (duplicate.status_code, duplicate.json()["name"]) == (409, "DUPLICATE_DEVICE_ID")
    path = f"/iot/devices/{named['device_id']}"
    changed = await client.put(path, json={"attributes": [{"object_id": "t", "name": "temp"}]})
    assert changed.status_code == 204
    assert (await client.get(path)).json()["attributes"][0]["name"] == "temp"
    assert (await client.delete(path)).status_code == 204
    gone = await client.get(path)
    assert (gone.status_code, gone.json()["name"]) == (404, "DEVICE_NOT_FOUND")


async def test_devices_of_one_tenant_are_not_seen_from_another(
    client: httpx.AsyncClient,
) -> None:
    client.headers.update(TENANT)
    device = await add_device(client)
    elsewhere = {"Fiware-Service": "kawasaki"}
    assert (await client.get("/iot/devices", headers=elsewhere)).json()["count"] == 0
    found = await client.get(f"/iot/devices/{device['device_id']}", headers=elsewhere)
    assert found.status_code == 404


async def test_invalid_provisioning_payload_is_bad_request_data(client: httpx.AsyncClient) -> None:
    bad = await client.post("/iot/services", json={"services": []}, headers=TENANT)
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("BadRequestData")
    slash = await client.post("/iot/devices", json={"devices": [{"device_id": "a/b"}]})
    assert slash.status_code == 400
