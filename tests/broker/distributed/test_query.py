"""Distributed Query Entities (ETSI GS CIM 009 V1.8, 5.7.2 with 4.3.6): Renkei asks the
registered sources (real `renkei serve` processes on loopback) and merges their answers."""

from typing import Any

import httpx
from fastapi import FastAPI

from broker.registrations.forwarding import forwarded_via
from tests.broker.distributed.remotes import (
    linked,
    put,
    recording_source,
    register_at,
    remote_tenant,
    sensor,
    slow_source,
    source,
    status,
)
from tests.broker.entities.helpers import create, headers
from tests.broker.registrations.helpers import register
from tests.servers import free_port

ENTITIES = "/ngsi-ld/v1/entities"
QUERY = {"type": "CrowdFlowObserved"}


async def query(
    client: httpx.AsyncClient, tenant: str = "kawasaki", **params: str
) -> httpx.Response:
    response = await client.get(ENTITIES, params={**QUERY, **params}, headers=headers(tenant))
    assert response.status_code == 200, response.text
    return response


def ids(response: httpx.Response) -> list[str]:
    return [e["id"] for e in response.json()]


def by_id(response: httpx.Response) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in response.json()}


async def test_a_query_merges_the_local_and_the_remote_entities(
    client: httpx.AsyncClient, municipal: str
) -> None:
    registration = await linked(
        client,
        municipal,
        [sensor(1, 200, "2026-11-22T10:00:00Z"), sensor(2, 7)],
        [sensor(1, 120, "2026-11-22T09:00:00Z"), sensor(3, 30)],
    )

    response = await query(client, count="true")

    assert ids(response) == [sensor(n)["id"] for n in (1, 2, 3)]
    assert response.headers["NGSILD-Results-Count"] == "3"
    assert "NGSILD-Warning" not in response.headers
    # the most recent observedAt wins: the remote's reading of 10:00
    assert by_id(response)[sensor(1)["id"]]["peopleCount"]["value"] == 200
    assert (await status(client, registration))["timesSent"] == 1


async def test_the_local_reading_wins_when_it_is_the_more_recent(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(
        client,
        municipal,
        [sensor(1, 200, "2026-11-22T08:00:00Z")],
        [sensor(1, 120, "2026-11-22T09:00:00Z")],
    )

    response = await query(client)

    assert by_id(response)[sensor(1)["id"]]["peopleCount"]["value"] == 120


async def test_dataset_ids_of_local_and_remote_are_kept_apart(
    client: httpx.AsyncClient, municipal: str
) -> None:
    remote = remote_tenant()
    remote_sensor = sensor(1, 200)
    remote_sensor["peopleCount"]["datasetId"] = "urn:ngsi-ld:Dataset:kawasaki-camera"
    put(municipal, remote, remote_sensor)
    await create(client, sensor(1, 120), tenant="kawasaki")
    await register(client, source(municipal, tenant=remote), tenant="kawasaki")

    response = await query(client)

    instances = by_id(response)[sensor(1)["id"]]["peopleCount"]
    assert sorted(i["value"] for i in instances) == [120, 200]


async def test_local_true_answers_from_the_local_store_only(
    client: httpx.AsyncClient, municipal: str
) -> None:
    registration = await linked(client, municipal, [sensor(2)], [sensor(1)])

    response = await query(client, local="true")

    assert ids(response) == [sensor(1)["id"]]
    assert (await status(client, registration)).get("timesSent", 0) == 0


async def test_paging_and_count_run_over_the_merged_result(
    client: httpx.AsyncClient, municipal: str, shared: str
) -> None:
    first, second = remote_tenant(), remote_tenant()
    put(municipal, first, sensor(2), sensor(5))
    put(shared, second, sensor(3), sensor(6))
    for number in (1, 4):
        await create(client, sensor(number), tenant="kawasaki")
    await register(client, source(municipal, tenant=first), tenant="kawasaki")
    await register(client, source(shared, tenant=second), tenant="kawasaki")

    pages = [await query(client, limit="2", offset=str(o), count="true") for o in (0, 2, 4)]

    assert [ids(p) for p in pages] == [
        [sensor(1)["id"], sensor(2)["id"]],
        [sensor(3)["id"], sensor(4)["id"]],
        [sensor(5)["id"], sensor(6)["id"]],
    ]
    assert {p.headers["NGSILD-Results-Count"] for p in pages} == {"6"}


async def test_a_source_that_is_down_is_named_in_a_warning_and_counted(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)], [sensor(1)])
    dead = await register(client, source(f"http://127.0.0.1:{free_port()}"), tenant="kawasaki")

    response = await query(client)

    assert ids(response) == [sensor(1)["id"], sensor(2)["id"]]
    warning = response.headers["NGSILD-Warning"]
    assert warning.startswith(f'199 {dead} "')
    state = await status(client, dead)
    assert state["timesFailed"] == 1 and "lastFailure" in state


async def test_a_slow_source_is_cut_off_at_its_timeout(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)], [sensor(1)])
    with slow_source() as late:
        slow = await register(client, source(late, management={"timeout": 200}), tenant="kawasaki")
        response = await query(client)

    assert ids(response) == [sensor(1)["id"], sensor(2)["id"]]
    assert response.headers["NGSILD-Warning"].startswith(f"199 {slow} ")
    assert "no answer within 0.2 s" in response.headers["NGSILD-Warning"]


async def test_a_registration_of_one_tenant_never_answers_another(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)])

    assert ids(await query(client, "kawasaki")) == [sensor(2)["id"]]
    assert ids(await query(client, "yokohama")) == []


async def test_a_loop_of_two_brokers_registered_at_each_other_stops(
    client: httpx.AsyncClient, municipal: str, shared: str
) -> None:
    tenant = remote_tenant()
    put(municipal, tenant, sensor(2))
    put(shared, tenant, sensor(3))
    register_at(municipal, tenant, source(shared, tenant=tenant))
    register_at(shared, tenant, source(municipal, tenant=tenant))
    await register(client, source(municipal, tenant=tenant), tenant="kawasaki")

    response = await query(client)

    assert ids(response) == [sensor(2)["id"], sensor(3)["id"]]
    assert "NGSILD-Warning" not in response.headers


async def test_a_request_that_already_passed_this_broker_is_answered_locally(
    app: FastAPI, client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)], [sensor(1)])
    via = forwarded_via("1.1 elsewhere", app.state.hop_id)

    response = await client.get(ENTITIES, params=QUERY, headers=headers("kawasaki", Via=via))

    assert ids(response) == [sensor(1)["id"]]


async def test_a_query_asks_nothing_of_sources_without_a_token(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get(ENTITIES, params=QUERY, headers=headers("kawasaki"))
    assert response.status_code == 401


async def test_a_failing_source_is_skipped_once_its_breaker_opens(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)])
    dead = await register(client, source(f"http://127.0.0.1:{free_port()}"), tenant="kawasaki")

    answers = [await query(client) for _ in range(4)]  # RENKEI_SOURCES_BREAKER_THRESHOLD: 3

    assert all(ids(a) == [sensor(2)["id"]] for a in answers)
    assert "circuit open" in answers[3].headers["NGSILD-Warning"]
    state = await status(client, dead)
    assert state["timesSent"] == 3 and state["timesFailed"] == 3


async def test_a_query_sent_in_the_body_is_asked_of_the_sources_too(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)], [sensor(1)])
    body = {"type": "Query", "entities": [{"type": "CrowdFlowObserved"}]}

    asked = await client.post(
        "/ngsi-ld/v1/entityOperations/query", json=body, headers=headers("kawasaki")
    )
    local = await client.post(
        "/ngsi-ld/v1/entityOperations/query",
        params={"local": "true"},
        json=body,
        headers=headers("kawasaki"),
    )

    assert asked.status_code == 200, asked.text
    assert ids(asked) == [sensor(1)["id"], sensor(2)["id"]]
    assert ids(local) == [sensor(1)["id"]]


async def test_a_source_gets_its_headers_its_tenant_and_our_hop(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    seen: list[dict[str, str]] = []
    with recording_source(seen) as url:
        body = source(
            url,
            tenant="kawasaki-city",
            contextSourceInfo=[{"key": "Authorization", "value": "Bearer kawasaki-secret"}],
            management={"localOnly": True},
        )
        await register(client, body, tenant="kawasaki")
        response = await client.get(
            ENTITIES,
            params={**QUERY, "limit": "5", "offset": "10"},
            headers=headers("kawasaki", Via="1.1 upstream"),
        )

    assert response.status_code == 200, response.text

    [sent] = seen
    assert sent["authorization"] == "Bearer kawasaki-secret"
    assert sent["ngsild-tenant"] == "kawasaki-city"
    assert sent["via"] == f"1.1 upstream, 1.1 {app.state.hop_id}"
    assert "limit=15" in sent["query"] and "offset" not in sent["query"]
    assert "local=true" in sent["query"]
