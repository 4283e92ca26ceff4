"""Update Entity Attributes over the registered sources (ETSI GS CIM 009 V1.8, 4.3.6.2): a
redirect or exclusive source gets the update instead of the local store, an inclusive one gets
it besides the local store, an auxiliary one never. The sources are real `renkei serve`
processes on loopback."""

from typing import Any

import httpx
import pytest

from tests.broker.distributed.remotes import PEOPLE, linked_in_mode, sensor, source
from tests.broker.entities.helpers import create, headers
from tests.broker.registrations.helpers import register
from tests.servers import free_port

ENTITIES = "/ngsi-ld/v1/entities"
ENTITY = sensor(1, 100)
UPDATE = {"peopleCount": {"type": "Property", "value": 5}}


def covering(endpoint: str, mode: str, tenant: str | None = None) -> dict[str, Any]:
    information = [
        {"entities": [{"type": "CrowdFlowObserved", "id": ENTITY["id"]}], "propertyNames": [PEOPLE]}
    ]
    operations = ["retrieveOps"] if mode == "auxiliary" else ["retrieveOps", "updateOps"]
    return source(
        endpoint, tenant=tenant, mode=mode, information=information, operations=operations
    )


def remote_people(url: str, tenant: str) -> int:
    response = httpx.get(f"{url}{ENTITIES}/{ENTITY['id']}", headers={"NGSILD-Tenant": tenant})
    assert response.status_code == 200, response.text
    return int(response.json()["peopleCount"]["value"])


async def local_people(client: httpx.AsyncClient) -> int:
    response = await client.get(
        f"{ENTITIES}/{ENTITY['id']}", params={"local": "true"}, headers=headers("kawasaki")
    )
    assert response.status_code == 200, response.text
    return int(response.json()["peopleCount"]["value"])


async def patch(client: httpx.AsyncClient) -> httpx.Response:
    return await client.patch(
        f"{ENTITIES}/{ENTITY['id']}/attrs", json=UPDATE, headers=headers("kawasaki")
    )


@pytest.mark.parametrize(
    ("mode", "remote_after", "local_after"),
    [("redirect", 5, 100), ("inclusive", 5, 5), ("auxiliary", 100, 5)],
    ids=["redirect: the source only", "inclusive: both", "auxiliary: read-only"],
)
async def test_the_mode_decides_where_an_update_goes(
    client: httpx.AsyncClient, municipal: str, mode: str, remote_after: int, local_after: int
) -> None:
    tenant = await linked_in_mode(
        client, municipal, mode, ENTITY, ENTITY, ["retrieveOps", "updateOps"]
    )

    response = await patch(client)

    assert response.status_code == 204, response.text
    assert remote_people(municipal, tenant) == remote_after
    assert await local_people(client) == local_after


async def test_a_dead_redirect_source_makes_the_update_partial(
    client: httpx.AsyncClient,
) -> None:
    await create(client, ENTITY, tenant="kawasaki")
    dead = await register(
        client, covering(f"http://127.0.0.1:{free_port()}", "redirect"), tenant="kawasaki"
    )

    response = await patch(client)

    assert response.status_code == 207, response.text
    (not_updated,) = response.json()["notUpdated"]
    assert not_updated["attributeName"] == "peopleCount"
    assert response.headers["NGSILD-Warning"].startswith(f'199 {dead} "')
    assert await local_people(client) == 100
