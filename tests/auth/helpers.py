"""Helpers for tests that need clients, tokens and tenants of their own."""

from typing import Any

import httpx
from fastapi import FastAPI

from auth import scopes
from auth.clients import service as clients
from auth.clients.schemas import ClientCreate
from auth.principals import SYSTEM
from auth.tenants import service as tenants
from auth.tenants.schemas import TenantCreate

ALL_SCOPES = sorted(scopes.SCOPES)


async def register_tenant(app: FastAPI, name: str, **fields: Any) -> None:
    async with app.state.db.transaction() as session:
        await tenants.register_tenant(session, SYSTEM, body=TenantCreate(id=name, **fields))


async def make_client(
    app: FastAPI,
    *,
    scopes: list[str] | None = None,
    tenants: list[str] | None = None,
    entity_types: list[str] | None = None,
    client_id: str | None = None,
) -> tuple[str, str]:
    """A new client of the built-in server; returns (client_id, secret)."""
    body = ClientCreate(
        id=client_id,
        name="test client",
        scopes=scopes or ALL_SCOPES,
        tenants=tenants or ["*"],
        entityTypes=entity_types,
    )
    async with app.state.db.transaction() as session:
        issued = await clients.create_client(session, SYSTEM, body=body)
    return issued.client.id, issued.secret


async def get_token(
    http: httpx.AsyncClient, client_id: str, secret: str, scope: str | None = None
) -> str:
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = await http.post("/oauth2/token", data=form, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def bearer(http: httpx.AsyncClient, app: FastAPI, **client: Any) -> dict[str, str]:
    """Authorization header of a new client with these scopes / tenants / entity types."""
    client_id, secret = await make_client(app, **client)
    return {"Authorization": f"Bearer {await get_token(http, client_id, secret)}"}
