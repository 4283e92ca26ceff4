"""Every route declares its scope: 401 without a token, 403 with the wrong scope, and 403 with a
token for another tenant, found from the OpenAPI document so no route can be forgotten."""

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from auth import scopes
from broker.core.app import create_app
from tests.auth.helpers import bearer

SAMPLES = {
    "entity_id": "urn:ngsi-ld:CrowdFlowObserved:1",
    "attr_id": "peopleCount",
    "type_name": "CrowdFlowObserved",
    "attribute": "peopleCount",
    "tenant": "yokohama",
    "client_id": "someone",
    "grant_id": "g1",
    "device_id": "counter-1",
    "subscription_id": "urn:ngsi-ld:Subscription:1",
    "registration_id": "urn:ngsi-ld:ContextSourceRegistration:1",
    "context_id": "https%3A%2F%2Fcontexts.example%2Fctx.jsonld",
}
# /iot/json: devices authenticate with their group's API key, as with the IoT Agent.
PUBLIC = {"/health", "/ready", "/oauth2/token", "/oauth2/revoke", "/iot/json"}


def _operations() -> list[tuple[str, str, str, bool]]:
    """(method, path, scope, tenant-scoped) of every operation that needs a token."""
    document = create_app().openapi()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security")
            if not security:
                assert path in PUBLIC or path.startswith("/.well-known/"), f"{method} {path}"
                continue
            (scope,) = security[0]["oauth2"]
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            found.append(
                (method.upper(), path, scope, bool(headers & {"NGSILD-Tenant", "Fiware-Service"}))
            )
    return found


OPERATIONS = _operations()
IDS = [f"{m} {p}" for m, p, _, _ in OPERATIONS]


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: SAMPLES[m.group(1)], path)


async def _call(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return await http.request(method, _url(path), json=body, **kwargs)


def test_every_operation_declares_a_known_scope() -> None:
    assert len(OPERATIONS) > 20
    assert {scope for _, _, scope, _ in OPERATIONS} <= set(scopes.SCOPES)


@pytest.mark.parametrize(("method", "path", "scope", "scoped"), OPERATIONS, ids=IDS)
async def test_without_a_token_every_route_is_401(
    anonymous: httpx.AsyncClient, method: str, path: str, scope: str, scoped: bool
) -> None:
    response = await _call(anonymous, method, path)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "scope", "scoped"), OPERATIONS, ids=IDS)
async def test_with_the_wrong_scope_every_route_is_403(
    app: FastAPI, anonymous: httpx.AsyncClient, method: str, path: str, scope: str, scoped: bool
) -> None:
    others = [s for s in scopes.SCOPES if s != scope]
    headers = await bearer(anonymous, app, scopes=others, tenants=["*"])
    response = await _call(anonymous, method, path, headers=headers)
    assert response.status_code == 403, response.text
    assert scope in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "scope", "scoped"),
    [o for o in OPERATIONS if o[3]],
    ids=[i for i, o in zip(IDS, OPERATIONS, strict=True) if o[3]],
)
async def test_with_a_token_of_another_tenant_every_route_is_403(
    app: FastAPI, anonymous: httpx.AsyncClient, method: str, path: str, scope: str, scoped: bool
) -> None:
    headers = await bearer(anonymous, app, scopes=sorted(scopes.SCOPES), tenants=["kawasaki"])
    for header in ("NGSILD-Tenant", "Fiware-Service"):
        headers[header] = "yokohama"
    response = await _call(anonymous, method, path, headers=headers)
    assert response.status_code == 403, response.text
    assert "yokohama" in response.json()["detail"]
