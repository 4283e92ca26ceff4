"""Distributed Retrieve Entity (ETSI GS CIM 009 V1.8, 5.7.1 with 4.3.6) against a real remote
`renkei serve`: the entity is found wherever it is held, and merged when held on both sides."""

import httpx

from tests.broker.distributed.remotes import linked, sensor, source, status
from tests.broker.entities.helpers import create, headers
from tests.broker.registrations.helpers import register
from tests.servers import free_port

ENTITIES = "/ngsi-ld/v1/entities"


async def retrieve(client: httpx.AsyncClient, number: int, **params: str) -> httpx.Response:
    return await client.get(
        f"{ENTITIES}/{sensor(number)['id']}", params=params, headers=headers("kawasaki")
    )


async def test_an_entity_held_only_by_a_source_is_retrieved(
    client: httpx.AsyncClient, municipal: str
) -> None:
    registration = await linked(client, municipal, [sensor(2, 42)])

    response = await retrieve(client, 2)

    assert response.status_code == 200, response.text
    assert response.json()["peopleCount"]["value"] == 42
    assert (await status(client, registration))["timesSent"] == 1


async def test_an_entity_held_on_both_sides_is_merged(
    client: httpx.AsyncClient, municipal: str
) -> None:
    remote = sensor(1, 200, "2026-11-22T10:00:00Z")
    remote["congested"] = {"type": "Property", "value": True}
    await linked(client, municipal, [remote], [sensor(1, 120, "2026-11-22T09:00:00Z")])

    body = (await retrieve(client, 1)).json()

    assert body["peopleCount"]["value"] == 200
    assert body["congested"]["value"] is True


async def test_a_source_registered_after_a_read_answers_the_next_read(
    client: httpx.AsyncClient, municipal: str
) -> None:
    assert (await retrieve(client, 3)).status_code == 404
    await linked(client, municipal, [sensor(3, 7)])

    response = await retrieve(client, 3)

    assert response.status_code == 200, response.text
    assert response.json()["peopleCount"]["value"] == 7


async def test_local_true_does_not_ask_the_source(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)])

    response = await retrieve(client, 2, local="true")

    assert response.status_code == 404


async def test_an_entity_no_side_holds_is_not_found(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)])

    assert (await retrieve(client, 9)).status_code == 404


async def test_a_dead_source_leaves_the_local_entity_with_a_warning(
    client: httpx.AsyncClient,
) -> None:
    await create(client, sensor(1), tenant="kawasaki")
    dead = await register(client, source(f"http://127.0.0.1:{free_port()}"), tenant="kawasaki")

    response = await retrieve(client, 1)

    assert response.status_code == 200
    assert response.headers["NGSILD-Warning"].startswith(f'199 {dead} "')


async def test_a_source_of_another_tenant_is_not_asked(
    client: httpx.AsyncClient, municipal: str
) -> None:
    await linked(client, municipal, [sensor(2)])

    response = await client.get(f"{ENTITIES}/{sensor(2)['id']}", headers=headers("yokohama"))

    assert response.status_code == 404
