"""Small helpers for entity tests."""

from typing import Any

import httpx

from broker.core.errors import ETSI_ERRORS, RENKEI_ERRORS

ENTITIES = "/ngsi-ld/v1/entities"
SENSOR_ID = "urn:ngsi-ld:CrowdFlowObserved:yokohama-station-1"
JSON_HEADERS = {"Content-Type": "application/json"}


def people_flow(entity_id: str = SENSOR_ID, **attributes: Any) -> dict[str, Any]:
    """A CrowdFlowObserved people-flow sensor entity, with attributes overridable."""
    body: dict[str, Any] = {
        "id": entity_id,
        "type": "CrowdFlowObserved",
        "peopleCount": {
            "type": "Property",
            "value": 120,
            "observedAt": "2026-11-22T09:00:00Z",
            "unitCode": "C62",
        },
        "congested": {"type": "Property", "value": False},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [139.6222, 35.4658]},
        },
        "refRoadSegment": {"type": "Relationship", "object": "urn:ngsi-ld:RoadSegment:1"},
    }
    body.update(attributes)
    return {k: v for k, v in body.items() if v is not None}


def headers(tenant: str | None = None, **extra: str) -> dict[str, str]:
    result = dict(JSON_HEADERS)
    if tenant is not None:
        result["NGSILD-Tenant"] = tenant
    result.update(extra)
    return result


async def create(
    client: httpx.AsyncClient, body: dict[str, Any] | None = None, *, tenant: str | None = None
) -> dict[str, Any]:
    body = body or people_flow()
    response = await client.post(ENTITIES, json=body, headers=headers(tenant))
    assert response.status_code == 201, response.text
    return body


async def fetch(
    client: httpx.AsyncClient,
    entity_id: str = SENSOR_ID,
    *,
    tenant: str | None = None,
    **params: str,
) -> dict[str, Any]:
    response = await client.get(f"{ENTITIES}/{entity_id}", params=params, headers=headers(tenant))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_problem(response: httpx.Response, status: int, problem: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    renkei_own = ("Unauthorized", "Forbidden", "TooManyRequests")
    namespace = RENKEI_ERRORS if problem in renkei_own else ETSI_ERRORS
    assert body["type"] == namespace + problem
    assert body["status"] == status
    assert body["detail"]
    return body
