"""Helpers of the CKAN Action API tests: calling an action, clients of one tenant, datasets."""

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from auth import scopes
from catalog.groups.models import Group
from catalog.groups.repository import GroupRepository
from tests.auth.helpers import bearer

CATALOG_SCOPES = [scopes.CATALOG_READ, scopes.CATALOG_WRITE]


async def ckan(
    http: httpx.AsyncClient,
    action: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """POST an action with its JSON parameters; the whole envelope, checked for `status`."""
    response = await http.post(f"/api/3/action/{action}", json=params, headers=headers)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is (status == 200)
    assert body["help"].endswith(f"/api/3/action/help_show?name={action}")
    return body


async def result(http: httpx.AsyncClient, action: str, **params: Any) -> Any:
    return (await ckan(http, action, **params))["result"]


async def publisher(
    http: httpx.AsyncClient, app: FastAPI, tenant: str, *, scope: list[str] | None = None
) -> dict[str, str]:
    """The Authorization header of a client of one tenant (catalog scopes unless given)."""
    return await bearer(http, app, scopes=scope or CATALOG_SCOPES, tenants=[tenant])


def dataset(name: str = "jinryu-2026", **overrides: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": "駅前の人流データ",
        "notes": "横浜駅周辺の人流センサーの計測値",
        "owner_org": "yokohama",
        "license_id": "cc-by-4.0",
        "tags": [{"name": "人流"}, {"name": "観光"}],
        "resources": [
            {"name": "人流 CSV", "url": "https://example.jp/jinryu.csv", "format": "CSV"}
        ],
        **overrides,
    }


async def create(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = await ckan(http, "package_create", **dataset(**overrides))
    created: dict[str, Any] = body["result"]
    return created


async def add_group(app: FastAPI, name: str, title: str, tenant: str = "yokohama") -> None:
    """A group (no write action makes groups in this slice)."""
    group = Group(
        id=f"group-{name}", tenant_id=tenant, name=name, title=title, created_at=datetime.now(UTC)
    )
    async with app.state.db.transaction() as session:
        await GroupRepository(session).add(group)
