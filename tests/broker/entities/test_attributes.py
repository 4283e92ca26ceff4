"""6.6 and 6.7: append, update, partial update, replace and delete of attributes."""

import httpx

from tests.broker.entities.helpers import (
    ENTITIES,
    SENSOR_ID,
    assert_problem,
    create,
    fetch,
    headers,
    people_flow,
)

ATTRS = f"{ENTITIES}/{SENSOR_ID}/attrs"
CAMERA = "urn:ngsi-ld:Dataset:camera"


async def test_append_adds_new_attributes(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(
        ATTRS, json={"occupancy": {"type": "Property", "value": 0.4}}, headers=headers()
    )
    assert response.status_code == 204
    assert (await fetch(client))["occupancy"] == {"type": "Property", "value": 0.4}


async def test_append_overwrites_and_keeps_created_at(client: httpx.AsyncClient) -> None:
    await create(client)
    before = (await fetch(client, options="sysAttrs"))["peopleCount"]
    response = await client.post(
        ATTRS, json={"peopleCount": {"type": "Property", "value": 3}}, headers=headers()
    )
    assert response.status_code == 204
    after = (await fetch(client, options="sysAttrs"))["peopleCount"]
    assert after["value"] == 3 and "unitCode" not in after
    assert after["createdAt"] == before["createdAt"]
    assert after["modifiedAt"] > before["modifiedAt"]


async def test_append_no_overwrite_reports_existing_attributes(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(
        ATTRS,
        params={"options": "noOverwrite"},
        json={"peopleCount": {"type": "Property", "value": 3}, "occupancy": 0.5},
        headers=headers(),
    )
    assert response.status_code == 207
    assert response.json() == {
        "updated": ["occupancy"],
        "notUpdated": [
            {"attributeName": "peopleCount", "reason": "attribute exists and noOverwrite was given"}
        ],
    }
    entity = await fetch(client)
    assert entity["peopleCount"]["value"] == 120
    assert entity["occupancy"]["value"] == 0.5


async def test_append_new_dataset_id_adds_an_instance(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(
        ATTRS,
        json={"peopleCount": {"type": "Property", "value": 8, "datasetId": CAMERA}},
        headers=headers(),
    )
    assert response.status_code == 204
    counts = (await fetch(client))["peopleCount"]
    assert [c["value"] for c in counts] == [120, 8]


async def test_append_with_unknown_option_is_bad_request(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(
        ATTRS, params={"options": "replace"}, json={"a": 1}, headers=headers()
    )
    assert_problem(response, 400, "InvalidRequest")


async def test_append_to_unknown_entity_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(
        f"{ENTITIES}/urn:ngsi-ld:T:none/attrs", json={"a": 1}, headers=headers()
    )
    assert_problem(response, 404, "ResourceNotFound")


async def test_update_replaces_instances_and_appends_missing(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ATTRS,
        json={"peopleCount": {"type": "Property", "value": 9}, "occupancy": 0.2},
        headers=headers(),
    )
    assert response.status_code == 204
    entity = await fetch(client)
    assert entity["peopleCount"] == {"type": "Property", "value": 9}
    assert entity["occupancy"] == {"type": "Property", "value": 0.2}


async def test_update_with_ngsi_ld_null_deletes(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ATTRS,
        json={"congested": {"type": "Property", "value": "urn:ngsi-ld:null"}},
        headers=headers(),
    )
    assert response.status_code == 204
    assert "congested" not in await fetch(client)


async def test_update_deleting_a_missing_attribute_is_reported(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ATTRS, json={"temperature": "urn:ngsi-ld:null", "occupancy": 0.3}, headers=headers()
    )
    assert response.status_code == 207
    body = response.json()
    assert body["updated"] == ["occupancy"]
    assert body["notUpdated"][0]["attributeName"] == "temperature"


async def test_update_with_invalid_attribute_changes_nothing(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ATTRS,
        json={"peopleCount": 1, "location": {"type": "GeoProperty", "value": "x"}},
        headers=headers(),
    )
    assert_problem(response, 400, "BadRequestData")
    assert (await fetch(client))["peopleCount"]["value"] == 120


async def test_partial_update_merges_into_the_instance(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        f"{ATTRS}/peopleCount",
        json={"value": 130, "observedAt": "2026-11-22T09:05:00Z"},
        headers=headers(),
    )
    assert response.status_code == 204
    assert (await fetch(client))["peopleCount"] == {
        "type": "Property",
        "value": 130,
        "observedAt": "2026-11-22T09:05:00Z",
        "unitCode": "C62",
    }


async def test_partial_update_of_metadata_keeps_the_value(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        f"{ATTRS}/peopleCount",
        json={"unitCode": "urn:ngsi-ld:null", "accuracy": {"type": "Property", "value": 0.9}},
        headers=headers(),
    )
    assert response.status_code == 204
    count = (await fetch(client))["peopleCount"]
    assert count["value"] == 120
    assert "unitCode" not in count
    assert count["accuracy"] == {"type": "Property", "value": 0.9}


async def test_partial_update_selects_the_dataset_id(client: httpx.AsyncClient) -> None:
    counts = [
        {"type": "Property", "value": 1},
        {"type": "Property", "value": 2, "datasetId": CAMERA},
    ]
    await create(client, people_flow(peopleCount=counts))
    response = await client.patch(
        f"{ATTRS}/peopleCount", json={"value": 20, "datasetId": CAMERA}, headers=headers()
    )
    assert response.status_code == 204
    assert [c["value"] for c in (await fetch(client))["peopleCount"]] == [1, 20]


async def test_partial_update_cannot_change_the_type(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        f"{ATTRS}/peopleCount",
        json={"type": "Relationship", "object": "urn:a:b"},
        headers=headers(),
    )
    assert_problem(response, 400, "BadRequestData")


async def test_partial_update_of_missing_attribute_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    response = await client.patch(f"{ATTRS}/temperature", json={"value": 1}, headers=headers())
    assert_problem(response, 404, "ResourceNotFound")
    response = await client.patch(
        f"{ATTRS}/peopleCount", json={"value": 1, "datasetId": CAMERA}, headers=headers()
    )
    assert_problem(response, 404, "ResourceNotFound")


async def test_replace_attribute_replaces_whole_instance(client: httpx.AsyncClient) -> None:
    await create(client)
    before = (await fetch(client, options="sysAttrs"))["peopleCount"]
    response = await client.put(
        f"{ATTRS}/peopleCount",
        json={"type": "Relationship", "object": "urn:ngsi-ld:Counter:1"},
        headers=headers(),
    )
    assert response.status_code == 204
    after = (await fetch(client, options="sysAttrs"))["peopleCount"]
    assert after["type"] == "Relationship" and after["object"] == "urn:ngsi-ld:Counter:1"
    assert after["createdAt"] == before["createdAt"]


async def test_replace_missing_attribute_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.put(f"{ATTRS}/temperature", json={"value": 1}, headers=headers())
    assert_problem(response, 404, "ResourceNotFound")


async def test_delete_attribute_removes_the_default_instance(client: httpx.AsyncClient) -> None:
    counts = [
        {"type": "Property", "value": 1},
        {"type": "Property", "value": 2, "datasetId": CAMERA},
    ]
    await create(client, people_flow(peopleCount=counts))
    assert (await client.delete(f"{ATTRS}/peopleCount")).status_code == 204
    assert (await fetch(client))["peopleCount"] == counts[1]


async def test_delete_attribute_by_dataset_id(client: httpx.AsyncClient) -> None:
    counts = [
        {"type": "Property", "value": 1},
        {"type": "Property", "value": 2, "datasetId": CAMERA},
    ]
    await create(client, people_flow(peopleCount=counts))
    response = await client.delete(f"{ATTRS}/peopleCount", params={"datasetId": CAMERA})
    assert response.status_code == 204
    assert (await fetch(client))["peopleCount"] == counts[0]


async def test_delete_all_instances(client: httpx.AsyncClient) -> None:
    counts = [
        {"type": "Property", "value": 1},
        {"type": "Property", "value": 2, "datasetId": CAMERA},
    ]
    await create(client, people_flow(peopleCount=counts))
    response = await client.delete(f"{ATTRS}/peopleCount", params={"deleteAll": "true"})
    assert response.status_code == 204
    assert "peopleCount" not in await fetch(client)


async def test_delete_missing_attribute_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.delete(f"{ATTRS}/temperature")
    assert_problem(response, 404, "ResourceNotFound")
    response = await client.delete(f"{ATTRS}/peopleCount", params={"datasetId": CAMERA})
    assert_problem(response, 404, "ResourceNotFound")


async def test_delete_with_bad_dataset_id_is_bad_request(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.delete(f"{ATTRS}/peopleCount", params={"datasetId": "a b"})
    assert_problem(response, 400, "BadRequestData")


async def test_attribute_changes_move_entity_modified_at(client: httpx.AsyncClient) -> None:
    await create(client)
    before = await fetch(client, options="sysAttrs")
    await client.patch(f"{ATTRS}/peopleCount", json={"value": 1}, headers=headers())
    after = await fetch(client, options="sysAttrs")
    assert after["createdAt"] == before["createdAt"]
    assert after["modifiedAt"] > before["modifiedAt"]
