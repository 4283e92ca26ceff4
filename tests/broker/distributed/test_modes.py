"""Registration modes in distributed reads (ETSI GS CIM 009 V1.8, 4.3.6.2): an exclusive or
redirect source is authoritative for what it holds, an auxiliary one only fills gaps. The
sources are real `renkei serve` processes on loopback."""

import httpx
import pytest

from tests.broker.distributed.remotes import linked_in_mode, sensor
from tests.broker.entities.helpers import headers

ENTITIES = "/ngsi-ld/v1/entities"


async def people(client: httpx.AsyncClient, entity_id: str) -> tuple[int, int]:
    """The peopleCount answered by a query and by a retrieve of the entity."""
    queried = await client.get(
        ENTITIES, params={"type": "CrowdFlowObserved"}, headers=headers("kawasaki")
    )
    assert queried.status_code == 200, queried.text
    retrieved = await client.get(f"{ENTITIES}/{entity_id}", headers=headers("kawasaki"))
    assert retrieved.status_code == 200, retrieved.text
    (entity,) = [e for e in queried.json() if e["id"] == entity_id]
    return entity["peopleCount"]["value"], retrieved.json()["peopleCount"]["value"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("redirect", 120), ("inclusive", 200)],
    ids=["a redirect source wins over a more recent local copy", "inclusive compares times"],
)
async def test_the_mode_decides_between_the_local_and_the_remote_copy(
    client: httpx.AsyncClient, municipal: str, mode: str, expected: int
) -> None:
    remote = sensor(1, 120, "2026-11-22T09:00:00Z")
    await linked_in_mode(client, municipal, mode, remote, sensor(1, 200, "2026-11-22T10:00:00Z"))

    assert await people(client, remote["id"]) == (expected, expected)


async def test_an_auxiliary_source_does_not_override_the_local_copy(
    client: httpx.AsyncClient, municipal: str
) -> None:
    remote = sensor(1, 120, "2026-11-22T11:00:00Z")
    local = sensor(1, 200, "2026-11-22T10:00:00Z")
    await linked_in_mode(client, municipal, "auxiliary", remote, local)

    assert await people(client, remote["id"]) == (200, 200)


async def test_an_auxiliary_source_answers_what_only_it_holds(
    client: httpx.AsyncClient, municipal: str
) -> None:
    remote = sensor(2, 77)
    await linked_in_mode(client, municipal, "auxiliary", remote, sensor(1, 200))

    assert await people(client, remote["id"]) == (77, 77)
