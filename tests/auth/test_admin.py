"""The admin API: tenants, clients and sharing grants, and who may manage what."""

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.helpers import bearer
from tests.broker.entities.helpers import assert_problem

TENANTS = "/admin/v1/tenants"
CLIENTS = "/admin/v1/clients"
ADMIN = ["tenants:admin", "ngsi-ld:read", "ngsi-ld:write"]


async def test_registering_a_municipality(client: httpx.AsyncClient) -> None:
    body = {
        "id": "fujisawa",
        "code": "142051",
        "nameJa": "藤沢市",
        "nameEn": "Fujisawa",
        "contact": "it@city.fujisawa.example",
    }
    response = await client.post(TENANTS, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created | body == created
    assert created["kind"] == "municipality" and created["active"] is True
    assert (await client.get(f"{TENANTS}/fujisawa")).json()["nameJa"] == "藤沢市"
    assert "fujisawa" in [t["id"] for t in (await client.get(TENANTS)).json()]
    entity = {"id": "urn:ngsi-ld:T:1", "type": "T"}
    created_entity = await client.post(
        "/ngsi-ld/v1/entities", json=entity, headers={"NGSILD-Tenant": "fujisawa"}
    )
    assert created_entity.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"id": "x", "code": "142052"}, 400, "BadRequestData"),
        ({"id": "x", "code": "14205"}, 400, "BadRequestData"),
        ({"id": "bad name"}, 400, "BadRequestData"),
        ({"id": "x", "kind": "galaxy"}, 400, "BadRequestData"),
        ({"id": "x", "unknown": 1}, 400, "BadRequestData"),
        ({"id": "yokohama"}, 409, "AlreadyExists"),
    ],
    ids=["check digit", "short code", "name", "kind", "unknown field", "duplicate"],
)
async def test_bad_tenant_registrations_are_refused(
    client: httpx.AsyncClient, body: dict[str, object], status: int, problem: str
) -> None:
    assert_problem(await client.post(TENANTS, json=body), status, problem)


async def test_a_code_belongs_to_one_tenant(client: httpx.AsyncClient) -> None:
    await client.post(TENANTS, json={"id": "a1", "code": "141003"})
    assert_problem(
        await client.post(TENANTS, json={"id": "a2", "code": "141003"}), 409, "AlreadyExists"
    )


async def test_a_municipality_admin_manages_only_its_own(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    local = await bearer(anonymous, app, scopes=ADMIN, tenants=["yokohama"])
    assert_problem(await anonymous.post(TENANTS, json={"id": "z"}, headers=local), 403, "Forbidden")
    listed = await anonymous.get(TENANTS, headers=local)
    assert [t["id"] for t in listed.json()] == ["yokohama"]
    assert_problem(
        await anonymous.get(f"{TENANTS}/kawasaki", headers=local), 404, "ResourceNotFound"
    )
    renamed = await anonymous.patch(f"{TENANTS}/yokohama", json={"nameJa": "横浜市"}, headers=local)
    assert renamed.status_code == 200 and renamed.json()["nameJa"] == "横浜市"
    response = await anonymous.patch(f"{TENANTS}/yokohama", json={"active": False}, headers=local)
    assert_problem(response, 403, "Forbidden")
    mine = {"name": "sensor app", "scopes": ["ngsi-ld:read"], "tenants": ["yokohama"]}
    assert (await anonymous.post(CLIENTS, json=mine, headers=local)).status_code == 201
    theirs = {**mine, "tenants": ["kawasaki"]}
    assert_problem(await anonymous.post(CLIENTS, json=theirs, headers=local), 403, "Forbidden")
    everyone = {**mine, "tenants": ["*"]}
    assert_problem(await anonymous.post(CLIENTS, json=everyone, headers=local), 403, "Forbidden")
    beyond = {**mine, "scopes": ["audit:read"]}
    assert_problem(await anonymous.post(CLIENTS, json=beyond, headers=local), 403, "Forbidden")
    listed = await anonymous.get(CLIENTS, headers=local)
    assert {c["name"] for c in listed.json()} == {"sensor app", "test client"}


async def test_client_lifecycle(client: httpx.AsyncClient) -> None:
    body = {
        "id": "people-flow-app",
        "name": "People flow",
        "scopes": ["ngsi-ld:read"],
        "tenants": ["yokohama", "kawasaki"],
        "entityTypes": ["CrowdFlowObserved"],
    }
    created = await client.post(CLIENTS, json=body)
    assert created.status_code == 201, created.text
    assert len(created.json()["secret"]) >= 40
    assert created.json()["entityTypes"] == ["CrowdFlowObserved"]
    assert "secret" not in (await client.get(f"{CLIENTS}/people-flow-app")).json()
    assert_problem(await client.post(CLIENTS, json=body), 409, "AlreadyExists")
    updated = await client.patch(f"{CLIENTS}/people-flow-app", json={"entityTypes": None})
    assert updated.json()["entityTypes"] is None
    rotated = await client.post(f"{CLIENTS}/people-flow-app/rotate")
    assert rotated.json()["secret"] != created.json()["secret"]
    revoked = await client.post(f"{CLIENTS}/people-flow-app/revoke")
    assert revoked.json()["active"] is False and revoked.json()["revokedAt"]
    assert_problem(await client.post(f"{CLIENTS}/people-flow-app/rotate"), 400, "BadRequestData")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": ["fly"], "tenants": ["yokohama"]},
        {"name": "x", "scopes": ["ngsi-ld:read"], "tenants": ["atlantis"]},
        {"name": "x", "scopes": ["ngsi-ld:read"], "tenants": ["*", "yokohama"]},
        {"name": "x", "scopes": [], "tenants": ["yokohama"]},
        {"name": "x", "scopes": ["ngsi-ld:read"], "tenants": ["yokohama"], "entityTypes": []},
        {"name": "x", "scopes": ["ngsi-ld:read"], "tenants": ["yokohama"], "entityTypes": ["a b"]},
    ],
    ids=["scope", "tenant", "star and names", "no scopes", "empty types", "bad type"],
)
async def test_bad_clients_are_refused(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    assert_problem(await client.post(CLIENTS, json=body), 400, "BadRequestData")


async def test_unknown_clients_and_tenants_are_404(client: httpx.AsyncClient) -> None:
    for url in (f"{CLIENTS}/nobody", f"{TENANTS}/nowhere"):
        assert_problem(await client.get(url), 404, "ResourceNotFound")
    assert_problem(await client.post(f"{CLIENTS}/nobody/revoke"), 404, "ResourceNotFound")


async def test_grants_are_listed_and_validated(client: httpx.AsyncClient) -> None:
    url = f"{TENANTS}/kawasaki/grants"
    good = {"granteeTenant": "yokohama", "entityTypes": ["CrowdFlowObserved"]}
    created = await client.post(url, json=good)
    assert created.status_code == 201, created.text
    assert created.json()["entityTypes"] == ["CrowdFlowObserved"]
    assert [g["id"] for g in (await client.get(url)).json()] == [created.json()["id"]]
    for bad in (
        {"entityTypes": ["T"]},
        {"granteeTenant": "yokohama", "granteeClient": "test-admin", "entityTypes": ["T"]},
        {"granteeTenant": "kawasaki", "entityTypes": ["T"]},
        {"granteeTenant": "atlantis", "entityTypes": ["T"]},
        {"granteeClient": "nobody", "entityTypes": ["T"]},
        {"granteeTenant": "yokohama", "entityTypes": []},
    ):
        assert_problem(await client.post(url, json=bad), 400, "BadRequestData")
    assert_problem(await client.delete(f"{url}/nothing"), 404, "ResourceNotFound")
    assert (await client.delete(f"{url}/{created.json()['id']}")).status_code == 204
    assert (await client.get(url)).json() == []
    assert_problem(await client.delete(f"{url}/{created.json()['id']}"), 404, "ResourceNotFound")
