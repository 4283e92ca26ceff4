"""Batch operations: create, upsert, update, merge, delete; per-entity all-or-nothing."""

from typing import Any

import httpx
import pytest

from tests.broker.entities.helpers import ENTITIES, assert_problem, fetch, headers

OPS = "/ngsi-ld/v1/entityOperations"


def sensor(n: int, **attributes: Any) -> dict[str, Any]:
    return {"id": f"urn:ngsi-ld:CrowdFlowObserved:{n}", "type": "CrowdFlowObserved", **attributes}


async def batch(
    client: httpx.AsyncClient, op: str, body: Any, tenant: str | None = None, **params: str
) -> httpx.Response:
    return await client.post(f"{OPS}/{op}", json=body, params=params, headers=headers(tenant))


async def test_create_returns_the_created_ids(client: httpx.AsyncClient) -> None:
    response = await batch(client, "create", [sensor(1, peopleCount=1), sensor(2, peopleCount=2)])
    assert response.status_code == 201
    assert response.json() == [sensor(1)["id"], sensor(2)["id"]]
    assert (await fetch(client, sensor(2)["id"]))["peopleCount"]["value"] == 2


async def test_create_reports_each_failure_and_keeps_the_rest(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1)])
    response = await batch(
        client,
        "create",
        [sensor(1), sensor(2, peopleCount={"type": "Bogus"}), sensor(3), {"type": "T"}, sensor(3)],
    )
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == [sensor(3)["id"]]
    errors = {(e["entityId"], e["error"]["type"].rsplit("/", 1)[1]) for e in body["errors"]}
    assert errors == {
        (sensor(1)["id"], "AlreadyExists"),
        (sensor(2)["id"], "BadRequestData"),
        ("None", "BadRequestData"),
        (sensor(3)["id"], "AlreadyExists"),
    }
    assert (await client.get(f"{ENTITIES}/{sensor(2)['id']}")).status_code == 404


async def test_thousands_of_entities_in_one_batch(client: httpx.AsyncClient) -> None:
    entities = [sensor(n, peopleCount=n) for n in range(2500)]
    response = await batch(client, "upsert", entities)
    assert response.status_code == 201
    assert len(response.json()) == 2500
    counted = await client.get(
        ENTITIES, params={"type": "CrowdFlowObserved", "count": "true", "limit": 1}
    )
    assert counted.headers["NGSILD-Results-Count"] == "2500"
    response = await batch(client, "upsert", [sensor(n, peopleCount=-n) for n in range(2500)])
    assert response.status_code == 204
    assert (await fetch(client, sensor(2499)["id"]))["peopleCount"]["value"] == -2499


async def test_upsert_replace_and_update(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1, peopleCount=1, congested=False)])
    response = await batch(client, "upsert", [sensor(1, peopleCount=5)], options="update")
    assert response.status_code == 204
    entity = await fetch(client, sensor(1)["id"])
    assert entity["peopleCount"]["value"] == 5 and "congested" in entity
    response = await batch(
        client, "upsert", [sensor(1, peopleCount=6), sensor(2)], options="replace"
    )
    assert response.status_code == 201
    assert response.json() == [sensor(2)["id"]]
    entity = await fetch(client, sensor(1)["id"])
    assert entity["peopleCount"]["value"] == 6 and "congested" not in entity


async def test_update_needs_existing_entities(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1, peopleCount=1)])
    response = await batch(client, "update", [sensor(1, peopleCount=2), sensor(9, peopleCount=9)])
    assert response.status_code == 207
    assert response.json()["success"] == [sensor(1)["id"]]
    assert response.json()["errors"][0]["error"]["status"] == 404
    assert (await fetch(client, sensor(1)["id"]))["peopleCount"]["value"] == 2


async def test_update_no_overwrite_fails_the_entity_whole(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1, peopleCount=1)])
    response = await batch(
        client, "update", [sensor(1, peopleCount=2, occupancy=0.5)], options="noOverwrite"
    )
    assert response.status_code == 207
    entity = await fetch(client, sensor(1)["id"])
    assert entity["peopleCount"]["value"] == 1 and "occupancy" not in entity


async def test_invalid_entity_in_update_changes_nothing_of_it(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1, peopleCount=1), sensor(2, peopleCount=2)])
    response = await batch(
        client,
        "update",
        [
            sensor(1, peopleCount=10, location={"type": "GeoProperty", "value": "x"}),
            sensor(2, peopleCount=20),
        ],
    )
    assert response.status_code == 207
    assert (await fetch(client, sensor(1)["id"]))["peopleCount"]["value"] == 1
    assert (await fetch(client, sensor(2)["id"]))["peopleCount"]["value"] == 20


async def test_merge(client: httpx.AsyncClient) -> None:
    await batch(
        client,
        "create",
        [sensor(1, peopleCount={"type": "Property", "value": 1, "unitCode": "C62"})],
    )
    response = await batch(client, "merge", [sensor(1, peopleCount={"value": 3}, congested=True)])
    assert response.status_code == 204
    entity = await fetch(client, sensor(1)["id"])
    assert entity["peopleCount"] == {"type": "Property", "value": 3, "unitCode": "C62"}
    assert entity["congested"]["value"] is True


async def test_delete(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1), sensor(2)])
    response = await batch(client, "delete", [sensor(1)["id"], sensor(2)["id"]])
    assert response.status_code == 204
    response = await batch(client, "delete", [sensor(1)["id"], "not a uri"])
    assert response.status_code == 207
    assert {e["error"]["status"] for e in response.json()["errors"]} == {400, 404}


@pytest.mark.parametrize("op", ["create", "upsert", "update", "merge", "delete"])
@pytest.mark.parametrize("body", [[], {"id": "urn:a:b"}, "x"], ids=["empty", "object", "string"])
async def test_batch_body_must_be_a_non_empty_array(
    client: httpx.AsyncClient, op: str, body: Any
) -> None:
    assert_problem(await batch(client, op, body), 400, "BadRequestData")


@pytest.mark.parametrize(("op", "options"), [("upsert", "noOverwrite"), ("update", "replace")])
async def test_unknown_batch_option_is_bad_request(
    client: httpx.AsyncClient, op: str, options: str
) -> None:
    assert_problem(await batch(client, op, [sensor(1)], options=options), 400, "InvalidRequest")


async def test_batches_stay_in_their_tenant(client: httpx.AsyncClient) -> None:
    await batch(client, "create", [sensor(1, peopleCount=1)], tenant="yokohama")
    await batch(client, "create", [sensor(2)], tenant="kawasaki")
    for op, body in [
        ("update", [sensor(1, peopleCount=9)]),
        ("merge", [sensor(1, peopleCount=9)]),
        ("delete", [sensor(1)["id"]]),
    ]:
        response = await batch(client, op, body, tenant="kawasaki")
        assert response.status_code == 207
        assert response.json()["errors"][0]["error"]["status"] == 404
    response = await batch(client, "upsert", [sensor(1, peopleCount=7)], tenant="kawasaki")
    assert response.status_code == 201
    assert (await fetch(client, sensor(1)["id"], tenant="yokohama"))["peopleCount"]["value"] == 1


async def test_ld_json_batch_uses_each_entity_context(client: httpx.AsyncClient) -> None:
    entities = [
        {**sensor(1, brand="x"), "@context": {"brand": "https://schema.org/brand"}},
        {**sensor(2, brand="y"), "@context": {"brand": "https://example.org/brand"}},
    ]
    response = await client.post(
        f"{OPS}/create", json=entities, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    assert "https://schema.org/brand" in await fetch(client, sensor(1)["id"])
    assert "https://example.org/brand" in await fetch(client, sensor(2)["id"])
