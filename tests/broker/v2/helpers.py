"""Small helpers of the v2 tests: Fiware headers and a v2 entity."""

from typing import Any

import httpx

JSON = {"Content-Type": "application/json"}


def fiware(service: str | None = None, path: str | None = None, **more: str) -> dict[str, str]:
    headers = dict(JSON)
    if service is not None:
        headers["Fiware-Service"] = service
    if path is not None:
        headers["Fiware-ServicePath"] = path
    return headers | more


def room(entity_id: str = "Room1", **attrs: Any) -> dict[str, Any]:
    return {
        "id": entity_id,
        "type": "Room",
        "temperature": {"type": "Number", "value": 23.5, "metadata": {}},
        "pressure": {"type": "Integer", "value": 720, "metadata": {}},
        **attrs,
    }


async def create(client: httpx.AsyncClient, entity: dict[str, Any], **headers: str) -> None:
    response = await client.post("/v2/entities", json=entity, headers=JSON | headers)
    assert response.status_code == 201, response.text


def assert_orion_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert isinstance(body["description"], str)
