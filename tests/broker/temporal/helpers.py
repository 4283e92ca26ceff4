"""Helpers of the temporal tests: a people-flow sensor whose count changes, and history reads."""

from typing import Any

import httpx

from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, create, headers, people_flow

TEMPORAL = "/ngsi-ld/v1/temporal/entities"


def count_at(value: int, observed: str) -> dict[str, Any]:
    return {"type": "Property", "value": value, "observedAt": observed}


async def sensor_with_counts(
    client: httpx.AsyncClient,
    counts: list[tuple[int, str]],
    *,
    entity_id: str = SENSOR_ID,
    tenant: str | None = None,
) -> None:
    """A people-flow sensor created with the first count, then updated with each other one."""
    first, *rest = counts
    await create(client, people_flow(entity_id, peopleCount=count_at(*first)), tenant=tenant)
    for value, observed in rest:
        response = await client.patch(
            f"{ENTITIES}/{entity_id}/attrs",
            json={"peopleCount": count_at(value, observed)},
            headers=headers(tenant),
        )
        assert response.status_code == 204, response.text


async def history(
    client: httpx.AsyncClient,
    entity_id: str = SENSOR_ID,
    *,
    tenant: str | None = None,
    status: int = 200,
    **params: str,
) -> dict[str, Any]:
    response = await client.get(f"{TEMPORAL}/{entity_id}", params=params, headers=headers(tenant))
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def values(entity: dict[str, Any], attribute: str = "peopleCount") -> list[Any]:
    """The values of an attribute's instances in the normalized temporal representation."""
    return [instance["value"] for instance in entity.get(attribute, [])]


HOURS = [(10, "2026-11-22T09:00:00Z"), (20, "2026-11-22T10:00:00Z"), (30, "2026-11-22T11:00:00Z")]
