"""Clause 5.15 / 6.31 (Retrieve Context Source Identity, GET /info/sourceIdentity) and data type
5.2.40 (Table 5.2.40-1): id (a URI), type ContextSourceIdentity, contextSourceAlias (per tenant
when tenants are used), contextSourceUptime (ISO 8601 duration), contextSourceTimeAt (DateTime),
contextSourceExtras (raw JSON)."""

import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from auth import scopes
from broker.core.app import create_app
from tests.auth.helpers import bearer
from tests.conftest import make_auth, make_settings

IDENTITY = "/ngsi-ld/v1/info/sourceIdentity"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
DURATION = re.compile(r"^P\d+DT\d+H\d+M\d+S$")


async def test_5_2_40_source_identity_has_the_mandatory_members(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(IDENTITY, headers={"Accept": "application/ld+json"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "ContextSourceIdentity"
    assert body["id"].startswith("urn:ngsi-ld:ContextSource:")
    assert body["contextSourceAlias"] == "renkei"
    assert DURATION.match(body["contextSourceUptime"])
    observed = datetime.strptime(body["contextSourceTimeAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert abs(observed.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=5)
    assert body["contextSourceExtras"]["product"] == "Renkei"
    assert body["@context"] == CORE


async def test_5_2_40_source_id_is_stable_across_requests_and_app_restarts(
    client: httpx.AsyncClient, database_url: str
) -> None:
    first = (await client.get(IDENTITY)).json()["id"]
    second = (await client.get(IDENTITY)).json()["id"]
    other_app = create_app(make_settings(database_url), auth=make_auth())
    assert first == second == other_app.state.settings.effective_source_id


async def test_5_2_40_source_id_comes_from_the_setting_when_given(database_url: str) -> None:
    settings = make_settings(database_url, source_id="urn:ngsi-ld:ContextSource:kanagawa-1")
    assert settings.effective_source_id == "urn:ngsi-ld:ContextSource:kanagawa-1"


async def test_5_2_40_alias_names_the_tenant(client: httpx.AsyncClient) -> None:
    response = await client.get(IDENTITY, headers={"NGSILD-Tenant": "yokohama"})
    assert response.status_code == 200, response.text
    assert response.json()["contextSourceAlias"] == "renkei.yokohama"
    assert "@context" not in response.json()
    assert response.headers["link"].startswith(f"<{CORE}>")


async def test_source_identity_without_a_token_is_401(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get(IDENTITY)
    assert response.status_code == 401


async def test_source_identity_without_the_read_scope_is_403(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    others = sorted(set(scopes.SCOPES) - {scopes.READ})
    auth = await bearer(anonymous, app, scopes=others)
    response = await anonymous.get(IDENTITY, headers=auth)
    assert response.status_code == 403


async def test_source_identity_of_another_tenant_is_403(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    auth = await bearer(anonymous, app, tenants=["yokohama"])
    allowed = await anonymous.get(IDENTITY, headers={**auth, "NGSILD-Tenant": "yokohama"})
    assert allowed.status_code == 200, allowed.text
    response = await anonymous.get(IDENTITY, headers={**auth, "NGSILD-Tenant": "kawasaki"})
    assert response.status_code == 403
