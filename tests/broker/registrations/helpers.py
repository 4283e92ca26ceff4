"""Helpers for registration tests: registration bodies, creating one, reading the sources."""

from typing import Any

import httpx
from fastapi import FastAPI

from auth.principals import Access
from broker.registrations.service import matching_sources
from broker.registrations.sources import RegisteredSource
from tests.broker.entities.helpers import headers

REGISTRATIONS = "/ngsi-ld/v1/csourceRegistrations"
ENDPOINT = "http://127.0.0.1:9/remote"
NGSI = "https://uri.etsi.org/ngsi-ld/default-context/"
SENSOR = "urn:ngsi-ld:CrowdFlowObserved:kawasaki-1"
__all__ = ["headers"]


def registration(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "ContextSourceRegistration",
        "information": [{"entities": [{"type": "CrowdFlowObserved"}]}],
        "endpoint": ENDPOINT,
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def exclusive(entity_id: str = SENSOR, *names: str, **fields: Any) -> dict[str, Any]:
    return registration(
        mode="exclusive",
        information=[
            {
                "entities": [{"type": "CrowdFlowObserved", "id": entity_id}],
                "propertyNames": list(names or ("peopleCount",)),
            }
        ],
        **fields,
    )


async def register(
    client: httpx.AsyncClient, body: dict[str, Any] | None = None, *, tenant: str | None = None
) -> str:
    response = await client.post(
        REGISTRATIONS, json=body or registration(), headers=headers(tenant)
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert location.startswith(REGISTRATIONS + "/")
    return location[len(REGISTRATIONS) + 1 :]


async def sources(app: FastAPI, access: Access, **request: Any) -> list[RegisteredSource]:
    async with app.state.db.transaction() as session:
        return await matching_sources(
            session, access, registered=app.state.registered_tenants, **request
        )
