"""Temporal writes (clauses 5.6.11-5.6.16): instances added, modified and deleted through the
temporal API change the history only, never the current entity."""

from typing import Any

import httpx
from fastapi import FastAPI

from tests.auth.helpers import bearer
from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, assert_problem, create, headers
from tests.broker.temporal.helpers import HOURS, TEMPORAL, count_at, history, values

OTHER_ID = "urn:ngsi-ld:CrowdFlowObserved:kannai-1"


def temporal_entity(entity_id: str = SENSOR_ID, **attributes: Any) -> dict[str, Any]:
    counts = [count_at(value, observed) for value, observed in HOURS]
    return {"id": entity_id, "type": "CrowdFlowObserved", "peopleCount": counts, **attributes}


async def post_temporal(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    *,
    status: int = 201,
    tenant: str | None = None,
    auth: dict[str, str] | None = None,
) -> httpx.Response:
    response = await client.post(TEMPORAL, json=body, headers=headers(tenant) | (auth or {}))
    assert response.status_code == status, response.text
    return response


async def test_temporal_create_records_every_instance_and_names_it(
    client: httpx.AsyncClient,
) -> None:
    response = await post_temporal(client, temporal_entity())
    assert response.headers["Location"] == f"{TEMPORAL}/{SENSOR_ID}"
    entity = await history(client)
    assert entity["type"] == "CrowdFlowObserved"
    assert values(entity) == [10, 20, 30]
    assert [i["observedAt"] for i in entity["peopleCount"]] == [t for _, t in HOURS]
    assert len({i["instanceId"] for i in entity["peopleCount"]}) == 3


async def test_temporal_create_leaves_the_current_entity_alone(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity())
    response = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers())
    assert_problem(response, 404, "ResourceNotFound")


async def test_temporal_create_of_an_existing_one_adds_instances(
    client: httpx.AsyncClient,
) -> None:
    await create(client)  # current entity: one instance of peopleCount (120)
    await post_temporal(client, temporal_entity(), status=204)
    assert sorted(values(await history(client))) == [10, 20, 30, 120]
    current = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers())
    assert current.json()["peopleCount"]["value"] == 120


async def test_temporal_create_keeps_instances_of_each_dataset(client: httpx.AsyncClient) -> None:
    gate = "urn:ngsi-ld:Dataset:gate-a"
    counts = [count_at(1, HOURS[0][1]) | {"datasetId": GATE}, count_at(2, HOURS[1][1])]
    counts.append(count_at(3, HOURS[2][1]) | {"datasetId": GATE})
    await post_temporal(client, temporal_entity(peopleCount=counts))
    entity = await history(client)
    by_dataset = sorted((i.get("datasetId", ""), i["value"]) for i in entity["peopleCount"])
    assert by_dataset == [("", 2), (gate, 1), (gate, 3)]


async def test_malformed_temporal_create_records_nothing(client: httpx.AsyncClient) -> None:
    bad = temporal_entity(peopleCount=[count_at(1, HOURS[0][1]), count_at(2, "yesterday")])
    response = await client.post(TEMPORAL, json=bad, headers=headers())
    assert_problem(response, 400, "BadRequestData")
    no_type = {"id": SENSOR_ID, "peopleCount": [count_at(1, HOURS[0][1])]}
    assert_problem(
        await client.post(TEMPORAL, json=no_type, headers=headers()), 400, "BadRequestData"
    )
    empty = {"id": SENSOR_ID, "type": "CrowdFlowObserved"}
    assert_problem(
        await client.post(TEMPORAL, json=empty, headers=headers()), 400, "BadRequestData"
    )
    assert_problem(
        await client.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers()), 404, "ResourceNotFound"
    )


async def test_add_attributes_appends_instances(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity())
    fragment = {
        "peopleCount": [count_at(40, "2026-11-22T12:00:00Z")],
        "congested": [{"value": True}],
    }
    response = await client.post(f"{TEMPORAL}/{SENSOR_ID}/attrs", json=fragment, headers=headers())
    assert response.status_code == 204, response.text
    entity = await history(client)
    assert values(entity) == [10, 20, 30, 40]
    assert values(entity, "congested") == [True]


async def test_add_attributes_to_no_temporal_entity_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    fragment = {"peopleCount": [count_at(40, HOURS[0][1])]}
    response = await client.post(f"{TEMPORAL}/{SENSOR_ID}/attrs", json=fragment, headers=headers())
    assert_problem(response, 404, "ResourceNotFound")


async def test_modify_instance_rewrites_it_in_place(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity())
    first = (await history(client))["peopleCount"][0]
    url = f"{TEMPORAL}/{SENSOR_ID}/attrs/peopleCount/{first['instanceId']}"
    fragment = {"peopleCount": count_at(11, HOURS[0][1])}
    response = await client.patch(url, json=fragment, headers=headers())
    assert response.status_code == 204, response.text
    entity = await history(client, options="sysAttrs")
    assert values(entity) == [11, 20, 30]
    changed = entity["peopleCount"][0]
    assert changed["instanceId"] == first["instanceId"]
    assert changed["modifiedAt"] > changed["createdAt"]


async def test_modify_instance_refuses_bad_fragments(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity())
    first = (await history(client))["peopleCount"][0]
    url = f"{TEMPORAL}/{SENSOR_ID}/attrs/peopleCount/{first['instanceId']}"
    for fragment in (
        {"congested": {"type": "Property", "value": True}},
        {"peopleCount": count_at(1, HOURS[0][1]) | {"datasetId": "urn:ngsi-ld:Dataset:x"}},
        {"peopleCount": [count_at(1, HOURS[0][1]), count_at(2, HOURS[1][1])]},
    ):
        response = await client.patch(url, json=fragment, headers=headers())
        assert_problem(response, 400, "BadRequestData")
    assert values(await history(client)) == [10, 20, 30]
    missing = f"{TEMPORAL}/{SENSOR_ID}/attrs/peopleCount/urn:ngsi-ld:nothing"
    response = await client.patch(missing, json={"peopleCount": 1}, headers=headers())
    assert_problem(response, 404, "ResourceNotFound")


async def test_delete_instance_removes_that_one(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity())
    second = (await history(client))["peopleCount"][1]
    url = f"{TEMPORAL}/{SENSOR_ID}/attrs/peopleCount/{second['instanceId']}"
    assert (await client.delete(url, headers=headers())).status_code == 204
    assert values(await history(client)) == [10, 30]
    assert_problem(await client.delete(url, headers=headers()), 404, "ResourceNotFound")


GATE = "urn:ngsi-ld:Dataset:gate-a"


async def gate_and_default(client: httpx.AsyncClient) -> str:
    """A temporal entity with peopleCount of dataset GATE (1) and default (2), and congested;
    the URL of its peopleCount history."""
    counts = [count_at(1, HOURS[0][1]) | {"datasetId": GATE}, count_at(2, HOURS[1][1])]
    await post_temporal(client, temporal_entity(peopleCount=counts, congested=[{"value": False}]))
    return f"{TEMPORAL}/{SENSOR_ID}/attrs/peopleCount"


async def test_delete_attribute_history_by_dataset(client: httpx.AsyncClient) -> None:
    url = await gate_and_default(client)
    assert (await client.delete(url, headers=headers())).status_code == 204
    assert values(await history(client)) == [1]
    response = await client.delete(url, params={"datasetId": GATE}, headers=headers())
    assert response.status_code == 204
    entity = await history(client)
    assert "peopleCount" not in entity and values(entity, "congested") == [False]
    assert_problem(await client.delete(url, headers=headers()), 404, "ResourceNotFound")


async def test_delete_attribute_history_of_every_dataset(client: httpx.AsyncClient) -> None:
    url = await gate_and_default(client)
    both = await client.delete(
        url, params={"deleteAll": "true", "datasetId": GATE}, headers=headers()
    )
    assert_problem(both, 400, "BadRequestData")
    response = await client.delete(url, params={"deleteAll": "true"}, headers=headers())
    assert response.status_code == 204
    assert "peopleCount" not in await history(client)


async def test_delete_temporal_entity_removes_history_only(client: httpx.AsyncClient) -> None:
    await create(client)
    await post_temporal(client, temporal_entity(), status=204)
    response = await client.delete(f"{TEMPORAL}/{SENSOR_ID}", headers=headers())
    assert response.status_code == 204
    entity = await history(client)
    assert "peopleCount" not in entity
    current = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers())
    assert current.status_code == 200


async def test_delete_temporal_entity_without_one_is_not_found(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity())
    assert (await client.delete(f"{TEMPORAL}/{SENSOR_ID}", headers=headers())).status_code == 204
    response = await client.delete(f"{TEMPORAL}/{SENSOR_ID}", headers=headers())
    assert_problem(response, 404, "ResourceNotFound")
    assert_problem(
        await client.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers()), 404, "ResourceNotFound"
    )


async def test_temporal_writes_of_another_tenant_are_not_found(client: httpx.AsyncClient) -> None:
    await post_temporal(client, temporal_entity(), tenant="yokohama")
    first = (await history(client, tenant="yokohama"))["peopleCount"][0]
    other = headers("kawasaki")
    attrs = f"{TEMPORAL}/{SENSOR_ID}/attrs"
    instance = f"{attrs}/peopleCount/{first['instanceId']}"
    for response in (
        await client.post(attrs, json={"peopleCount": [count_at(1, HOURS[0][1])]}, headers=other),
        await client.patch(instance, json={"peopleCount": 1}, headers=other),
        await client.delete(instance, headers=other),
        await client.delete(f"{attrs}/peopleCount", headers=other),
        await client.delete(f"{TEMPORAL}/{SENSOR_ID}", headers=other),
    ):
        assert_problem(response, 404, "ResourceNotFound")
    assert values(await history(client, tenant="yokohama")) == [10, 20, 30]


async def test_temporal_writes_need_a_token(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post(TEMPORAL, json=temporal_entity(), headers=headers())
    assert_problem(response, 401, "Unauthorized")
    response = await anonymous.delete(f"{TEMPORAL}/{SENSOR_ID}", headers=headers())
    assert_problem(response, 401, "Unauthorized")


async def test_temporal_writes_need_the_write_scope(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await post_temporal(client, temporal_entity())
    auth = await bearer(anonymous, app, scopes=["ngsi-ld:read"])
    response = await anonymous.post(TEMPORAL, json=temporal_entity(), headers=headers() | auth)
    assert_problem(response, 403, "Forbidden")
    fragment = {"peopleCount": [count_at(1, HOURS[0][1])]}
    response = await anonymous.post(
        f"{TEMPORAL}/{SENSOR_ID}/attrs", json=fragment, headers=headers() | auth
    )
    assert_problem(response, 403, "Forbidden")
    response = await anonymous.delete(f"{TEMPORAL}/{SENSOR_ID}", headers=headers() | auth)
    assert_problem(response, 403, "Forbidden")
    assert values(await history(client)) == [10, 20, 30]


async def test_type_restricted_grant_writes_history_of_its_types_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    auth = await bearer(
        anonymous, app, scopes=["ngsi-ld:write", "ngsi-ld:read"], entity_types=["Building"]
    )
    response = await anonymous.post(TEMPORAL, json=temporal_entity(), headers=headers() | auth)
    assert_problem(response, 403, "Forbidden")
    await post_temporal(client, temporal_entity(OTHER_ID))
    response = await anonymous.delete(f"{TEMPORAL}/{OTHER_ID}", headers=headers() | auth)
    assert_problem(response, 404, "ResourceNotFound")
    assert values(await history(client, OTHER_ID)) == [10, 20, 30]
