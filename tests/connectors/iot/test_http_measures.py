"""Measures over HTTP (POST /iot/json?k=&i=), and people-flow counters as CrowdFlowObserved."""

import httpx

from tests.connectors.helpers import add_device, add_group, entity_with, value
from tests.mqtt import unique


async def test_http_measures_update_the_entity_with_crowd_flow_types(
    client: httpx.AsyncClient,
) -> None:
    client.headers.update({"Fiware-Service": "yokohama", "NGSILD-Tenant": "yokohama"})
    apikey = await add_group(
        client,
        static_attributes=[{"name": "location", "type": "geo:point", "value": "35.4437, 139.638"}],
    )
    device = await add_device(client, apikey=apikey, transport="HTTP")
    measures = {
        "peopleCount": "42",
        "peopleCountTowards": 30,
        "peopleCountAway": 12,
        "dateObservedFrom": "2026-11-24T09:00:00+09:00",
        "dateObservedTo": "2026-11-24T09:05:00+09:00",
        "occupancy": 0.35,
        "congested": "false",
        "direction": "inbound",
    }
    response = await client.post(
        "/iot/json",
        params={"k": apikey, "i": device["device_id"], "t": "2026-11-24T00:05:00Z"},
        json=measures,
        headers={"Authorization": ""},
    )
    assert response.status_code == 200, response.text
    entity = await entity_with(client, device["entity_name"], *measures)
    assert entity["type"] == "CrowdFlowObserved"
    assert (value(entity, "peopleCount"), value(entity, "congested")) == (42, False)
    assert value(entity, "dateObservedFrom") == {
        "@type": "DateTime",
        "@value": "2026-11-24T00:00:00.000Z",
    }
    assert entity["peopleCount"]["observedAt"] == "2026-11-24T00:05:00.000Z"
    assert entity["location"]["type"] == "GeoProperty"
    assert entity["location"]["value"] == {"type": "Point", "coordinates": [139.638, 35.4437]}


async def test_http_measures_of_unknown_key_or_device_or_bad_json_are_refused(
    client: httpx.AsyncClient,
) -> None:
    client.headers.update({"Fiware-Service": "yokohama"})
    apikey = await add_group(client, autoprovision=False)
    unknown_key = await client.post("/iot/json", params={"k": unique("k"), "i": "d"}, json={})
    assert (unknown_key.status_code, unknown_key.json()["name"]) == (404, "DEVICE_GROUP_NOT_FOUND")
    unknown_device = await client.post(
        "/iot/json", params={"k": apikey, "i": unique("d")}, json={"peopleCount": 1}
    )
    assert (unknown_device.status_code, unknown_device.json()["name"]) == (404, "DEVICE_NOT_FOUND")
    device = await add_device(client, apikey=apikey)
    bad = await client.post(
        "/iot/json", params={"k": apikey, "i": device["device_id"]}, content=b"[1,"
    )
    assert (bad.status_code, bad.json()["name"]) == (400, "WRONG_SYNTAX")
