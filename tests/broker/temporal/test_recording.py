"""History is recorded with every change, in its transaction (clause 4.5.8): HTTP, batch, IoT
measures, attribute and entity deletion; each instance has its own instanceId."""

import httpx

from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, create, headers, people_flow
from tests.broker.temporal.helpers import HOURS, count_at, history, sensor_with_counts, values
from tests.connectors.helpers import add_device, add_group


async def test_created_entity_has_one_instance_per_attribute(client: httpx.AsyncClient) -> None:
    await create(client)
    entity = await history(client)
    assert entity["id"] == SENSOR_ID
    assert entity["type"] == "CrowdFlowObserved"
    assert values(entity) == [120]
    assert entity["peopleCount"][0]["observedAt"] == "2026-11-22T09:00:00Z"  # as written
    assert entity["peopleCount"][0]["unitCode"] == "C62"
    assert values(entity, "congested") == [False]
    assert entity["refRoadSegment"][0]["object"] == "urn:ngsi-ld:RoadSegment:1"
    assert entity["location"][0]["value"]["type"] == "Point"
    ids = [i["instanceId"] for a in ("peopleCount", "congested", "location") for i in entity[a]]
    assert len(set(ids)) == 3
    assert all(i.startswith("urn:ngsi-ld:") for i in ids)


async def test_updates_append_instances_and_leave_unchanged_attributes_alone(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, HOURS)
    entity = await history(client)
    assert values(entity) == [10, 20, 30]
    assert [i["observedAt"][:19] for i in entity["peopleCount"]] == [
        "2026-11-22T09:00:00",
        "2026-11-22T10:00:00",
        "2026-11-22T11:00:00",
    ]
    assert values(entity, "congested") == [False]  # never changed: recorded once


async def test_partial_update_replace_and_merge_are_recorded(client: httpx.AsyncClient) -> None:
    await create(client)
    url = f"{ENTITIES}/{SENSOR_ID}"
    partial = await client.patch(f"{url}/attrs/peopleCount", json={"value": 121}, headers=headers())
    assert partial.status_code == 204, partial.text
    merged = await client.patch(url, json={"congested": True}, headers=headers())
    assert merged.status_code == 204, merged.text
    replaced = await client.put(
        f"{url}/attrs/peopleCount", json={"type": "Property", "value": 5}, headers=headers()
    )
    assert replaced.status_code == 204, replaced.text
    entity = await history(client)
    assert values(entity) == [120, 121, 5]
    assert values(entity, "congested") == [False, True]


async def test_batch_upsert_records_history(client: httpx.AsyncClient) -> None:
    second = "urn:ngsi-ld:CrowdFlowObserved:yokohama-station-2"
    batch = [
        people_flow(peopleCount=count_at(1, "2026-11-22T09:00:00Z")),
        people_flow(second, peopleCount=count_at(2, "2026-11-22T09:00:00Z")),
    ]
    url = "/ngsi-ld/v1/entityOperations/upsert"
    assert (await client.post(url, json=batch, headers=headers())).status_code == 201
    batch[0]["peopleCount"] = count_at(11, "2026-11-22T09:05:00Z")
    response = await client.post(
        url, json=batch[:1], params={"options": "update"}, headers=headers()
    )
    assert response.status_code == 204, response.text
    assert values(await history(client)) == [1, 11]
    assert values(await history(client, second)) == [2]


async def test_http_iot_measures_record_history(client: httpx.AsyncClient) -> None:
    client.headers.update({"Fiware-Service": "yokohama", "NGSILD-Tenant": "yokohama"})
    apikey = await add_group(client)
    device = await add_device(client, apikey=apikey, transport="HTTP")
    for count, at in ((3, "2026-11-24T00:05:00Z"), (8, "2026-11-24T00:10:00Z")):
        response = await client.post(
            "/iot/json",
            params={"k": apikey, "i": device["device_id"], "t": at},
            json={"peopleCount": count},
            headers={"Authorization": ""},
        )
        assert response.status_code == 200, response.text
    entity = await history(client, device["entity_name"], tenant="yokohama")
    assert values(entity) == [3, 8]
    assert [i["observedAt"] for i in entity["peopleCount"]] == [
        "2026-11-24T00:05:00.000Z",
        "2026-11-24T00:10:00.000Z",
    ]


async def test_deleted_attribute_leaves_a_deletion_marker(client: httpx.AsyncClient) -> None:
    await create(client)
    url = f"{ENTITIES}/{SENSOR_ID}/attrs/congested"
    assert (await client.delete(url, headers=headers())).status_code == 204
    marker = (await history(client))["congested"][-1]
    assert marker["value"] == "urn:ngsi-ld:null"
    assert marker["deletedAt"].endswith("Z")
    assert len((await history(client))["congested"]) == 2


async def test_deleted_entity_keeps_its_history_with_deletion_markers(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, HOURS[:2])
    assert (await client.delete(f"{ENTITIES}/{SENSOR_ID}", headers=headers())).status_code == 204
    assert (await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers())).status_code == 404
    entity = await history(client)
    assert values(entity) == [10, 20, "urn:ngsi-ld:null"]
    assert "deletedAt" in entity["peopleCount"][-1]
    assert "deletedAt" not in entity["peopleCount"][0]
    deleted = await history(
        client, timeproperty="deletedAt", timerel="after", timeAt="2020-01-01T00:00:00Z"
    )
    assert sorted(deleted) == sorted(
        ["id", "type", "peopleCount", "congested", "location", "refRoadSegment"]
    )
    assert all(len(deleted[a]) == 1 for a in ("peopleCount", "congested", "location"))


async def test_a_refused_change_records_nothing(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        f"{ENTITIES}/{SENSOR_ID}/attrs/peopleCount",
        json={"value": 1, "observedAt": "not a time"},
        headers=headers(),
    )
    assert response.status_code == 400
    assert values(await history(client)) == [120]
