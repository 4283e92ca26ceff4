"""Clause 5.6.11 Create or Update Temporal Evolution of an Entity (POST /temporal/entities),
written from the spec text: a temporal entity the system does not hold is created (201 with
Location); one it holds gets the attribute instances added (204); an application/ld+json body
names its own @context, which expands the attribute names."""

import httpx
import orjson

from tests.broker.entities.helpers import SENSOR_ID, assert_problem, headers
from tests.broker.temporal.helpers import HOURS, TEMPORAL, count_at, history, values

LD = {"Content-Type": "application/ld+json"}
BRAND = "https://schema.org/brand"


def _body(*counts: tuple[int, str]) -> dict[str, object]:
    return {
        "id": SENSOR_ID,
        "type": "CrowdFlowObserved",
        "peopleCount": [count_at(value, observed) for value, observed in counts],
    }


async def test_new_temporal_entity_is_created_then_added_to(client: httpx.AsyncClient) -> None:
    created = await client.post(TEMPORAL, json=_body(HOURS[0]), headers=headers())
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{TEMPORAL}/{SENSOR_ID}"
    added = await client.post(TEMPORAL, json=_body(*HOURS[1:]), headers=headers())
    assert added.status_code == 204, added.text
    assert "Location" not in added.headers
    assert values(await history(client)) == [10, 20, 30]


async def test_ld_json_body_names_its_own_context(client: httpx.AsyncClient) -> None:
    body = _body(HOURS[0]) | {
        "brand": [{"type": "Property", "value": "Renkei", "observedAt": HOURS[0][1]}],
        "@context": [{"brand": BRAND}],
    }
    response = await client.post(TEMPORAL, content=orjson.dumps(body), headers=LD)
    assert response.status_code == 201, response.text
    assert values(await history(client), BRAND) == ["Renkei"]


async def test_body_that_is_not_an_object_is_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(TEMPORAL, json=[_body(HOURS[0])], headers=headers())
    assert_problem(response, 400, "BadRequestData")
    missing_id = {"type": "CrowdFlowObserved", "peopleCount": [count_at(*HOURS[0])]}
    response = await client.post(TEMPORAL, json=missing_id, headers=headers())
    assert_problem(response, 400, "BadRequestData")
