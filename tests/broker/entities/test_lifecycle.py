"""6.5.3: replace, merge and delete whole entities."""

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

ENTITY = f"{ENTITIES}/{SENSOR_ID}"


async def test_replace_entity_replaces_every_attribute(client: httpx.AsyncClient) -> None:
    await create(client)
    before = await fetch(client, options="sysAttrs")
    response = await client.put(
        ENTITY,
        json={"type": "CrowdFlowObserved", "occupancy": {"type": "Property", "value": 0.7}},
        headers=headers(),
    )
    assert response.status_code == 204
    after = await fetch(client, options="sysAttrs")
    assert set(after) == {"id", "type", "occupancy", "createdAt", "modifiedAt"}
    assert after["createdAt"] == before["createdAt"]


async def test_replace_with_other_id_in_body_is_bad_request(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.put(
        ENTITY, json={"id": "urn:ngsi-ld:T:other", "type": "T"}, headers=headers()
    )
    assert_problem(response, 400, "BadRequestData")


async def test_replace_unknown_entity_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.put(
        f"{ENTITIES}/urn:ngsi-ld:T:x", json={"type": "T"}, headers=headers()
    )
    assert_problem(response, 404, "ResourceNotFound")


async def test_merge_adds_and_merges_attributes(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ENTITY,
        json={
            "peopleCount": {"value": 200, "observedAt": "2026-11-22T10:00:00Z"},
            "occupancy": {"type": "Property", "value": 0.9},
            "type": "Device",
        },
        headers=headers(),
    )
    assert response.status_code == 204
    entity = await fetch(client)
    assert entity["peopleCount"] == {
        "type": "Property",
        "value": 200,
        "observedAt": "2026-11-22T10:00:00Z",
        "unitCode": "C62",
    }
    assert entity["occupancy"]["value"] == 0.9
    assert entity["type"] == ["CrowdFlowObserved", "Device"]
    assert entity["congested"]["value"] is False


async def test_merge_with_ngsi_ld_null_deletes(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ENTITY,
        json={"congested": "urn:ngsi-ld:null", "peopleCount": {"unitCode": "urn:ngsi-ld:null"}},
        headers=headers(),
    )
    assert response.status_code == 204
    entity = await fetch(client)
    assert "congested" not in entity
    assert "unitCode" not in entity["peopleCount"]
    assert entity["peopleCount"]["value"] == 120


async def test_merge_merges_compound_values(client: httpx.AsyncClient) -> None:
    settings = {"type": "Property", "value": {"threshold": 300, "mode": "auto", "zones": [1]}}
    await create(client, people_flow(settings=settings))
    response = await client.patch(
        ENTITY,
        json={"settings": {"value": {"threshold": 250, "mode": "urn:ngsi-ld:null"}}},
        headers=headers(),
    )
    assert response.status_code == 204
    assert (await fetch(client))["settings"]["value"] == {"threshold": 250, "zones": [1]}


async def test_merge_with_invalid_fragment_changes_nothing(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(
        ENTITY,
        json={"occupancy": 0.1, "location": {"value": {"type": "Point", "coordinates": [500, 1]}}},
        headers=headers(),
    )
    assert_problem(response, 400, "BadRequestData")
    assert "occupancy" not in await fetch(client)


async def test_merge_unknown_entity_is_not_found(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.patch(f"{ENTITIES}/urn:ngsi-ld:T:x", json={"a": 1}, headers=headers())
    assert_problem(response, 404, "ResourceNotFound")


async def test_delete_entity_then_it_is_gone(client: httpx.AsyncClient) -> None:
    await create(client)
    assert (await client.delete(ENTITY)).status_code == 204
    assert_problem(await client.get(ENTITY), 404, "ResourceNotFound")
    assert_problem(await client.delete(ENTITY), 404, "ResourceNotFound")


async def test_deleted_entity_id_can_be_created_again(client: httpx.AsyncClient) -> None:
    await create(client)
    await client.delete(ENTITY)
    await create(client, people_flow(peopleCount=5))
    assert (await fetch(client))["peopleCount"]["value"] == 5
