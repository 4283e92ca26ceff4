"""Helpers for tests that need clients, tokens and tenants of their own."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

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


async def audit_rows(app: FastAPI, sql: str, **params: object) -> list[dict[str, object]]:
    async with app.state.db.read_session() as session:
        result = await session.execute(text(sql).bindparams(**params))
        return [dict(row._mapping) for row in result]


async def sealed(app: FastAPI) -> None:
    """Everything recorded so far is sealed into audit_records: also what the app's own audit
    worker had claimed (its rows are skipped by a concurrent seal, so wait for the inbox to
    empty)."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        await app.state.audit.flush()
        await app.state.audit.seal()
        if not await audit_rows(app, "SELECT id FROM audit_inbox"):
            return
        assert asyncio.get_running_loop().time() < deadline, "the audit inbox did not empty"
        await asyncio.sleep(0.05)
