"""Who may read and write the catalog (issue 16): public datasets are open to anyone; private,
draft and deleted ones, and every write, need the catalog scopes of the owning tenant. Another
municipality's private dataset does not exist for a client of another tenant."""

import httpx
import pytest
from fastapi import FastAPI

from auth import scopes
from tests.catalog.helpers import ckan, create, dataset, publisher, result

WRITES = [
    ("package_create", dataset("new-one")),
    ("package_update", dataset(id="jinryu-2026")),
    ("package_patch", {"id": "jinryu-2026", "title": "x"}),
    ("package_delete", {"id": "jinryu-2026"}),
    ("resource_create", {"package_id": "jinryu-2026", "url": "https://example.jp/x"}),
]


@pytest.mark.parametrize(("action", "params"), WRITES, ids=[a for a, _ in WRITES])
async def test_anonymous_writes_are_authorization_errors(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, action: str, params: dict[str, object]
) -> None:
    await create(client)
    body = await ckan(anonymous, action, status=403, **params)
    assert body["error"]["__type"] == "Authorization Error"
    assert (await result(anonymous, "package_show", id="jinryu-2026"))[
        "title"
    ] == "駅前の人流データ"


@pytest.mark.parametrize(("action", "params"), WRITES, ids=[a for a, _ in WRITES])
async def test_another_tenants_client_may_not_write(
    app: FastAPI,
    client: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    action: str,
    params: dict[str, object],
) -> None:
    await create(client)
    kawasaki = await publisher(anonymous, app, "kawasaki")
    body = await ckan(anonymous, action, status=403, headers=kawasaki, **params)
    assert body["error"]["__type"] == "Authorization Error"
    shown = await result(anonymous, "package_show", id="jinryu-2026")
    assert shown["title"] == "駅前の人流データ" and shown["state"] == "active"
    assert await result(anonymous, "package_list") == ["jinryu-2026"]


async def test_reading_the_catalog_scope_alone_does_not_publish(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    reader = await publisher(anonymous, app, "yokohama", scope=[scopes.CATALOG_READ])
    body = await ckan(anonymous, "package_create", status=403, headers=reader, **dataset())
    assert body["error"]["__type"] == "Authorization Error"


async def test_an_invalid_token_is_an_authorization_error(anonymous: httpx.AsyncClient) -> None:
    body = await ckan(
        anonymous, "package_search", status=403, headers={"Authorization": "not-a-token"}
    )
    assert body["error"]["__type"] == "Authorization Error"


async def test_a_client_of_one_tenant_publishes_there_with_a_bare_token(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    bearer = await publisher(anonymous, app, "sagamihara")
    bare = bearer["Authorization"].removeprefix("Bearer ")
    created = await ckan(
        anonymous, "package_create", headers={"Authorization": bare}, **dataset(owner_org=None)
    )
    assert created["result"]["owner_org"] == "sagamihara"
    patched = await ckan(
        anonymous,
        "package_patch",
        headers={"X-CKAN-API-Key": bare},
        id="jinryu-2026",
        title="相模原の人流",
    )
    assert patched["result"]["title"] == "相模原の人流"


async def test_private_dataset_of_one_municipality_is_invisible_to_another(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    yokohama = await publisher(anonymous, app, "yokohama")
    kawasaki = await publisher(anonymous, app, "kawasaki")
    created = (await ckan(anonymous, "package_create", headers=yokohama, **dataset(private=True)))[
        "result"
    ]
    resource_id = created["resources"][0]["id"]
    for headers in (kawasaki, None):
        for action, params in (
            ("package_show", {"id": "jinryu-2026"}),
            ("resource_show", {"id": resource_id}),
        ):
            body = await ckan(anonymous, action, status=404, headers=headers, **params)
            assert body["error"]["__type"] == "Not Found Error"
        found = await ckan(anonymous, "package_search", headers=headers, include_private=True)
        assert found["result"]["count"] == 0
    for action, params in (
        ("package_update", dataset(id=created["id"])),
        ("package_delete", {"id": created["id"]}),
        ("resource_delete", {"id": resource_id}),
    ):
        await ckan(anonymous, action, status=404, headers=kawasaki, **params)
    shown = await ckan(anonymous, "package_show", headers=yokohama, id="jinryu-2026")
    assert shown["result"]["private"] is True
    own = await ckan(anonymous, "package_search", headers=yokohama, include_private=True)
    assert own["result"]["count"] == 1


async def test_drafts_are_seen_by_their_tenant_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, state="draft")
    kawasaki = await publisher(anonymous, app, "kawasaki")
    yokohama = await publisher(anonymous, app, "yokohama")
    await ckan(anonymous, "package_show", status=404, id="jinryu-2026")
    await ckan(anonymous, "package_show", status=404, headers=kawasaki, id="jinryu-2026")
    shown = await ckan(anonymous, "package_show", headers=yokohama, id="jinryu-2026")
    assert shown["result"]["state"] == "draft"


async def test_moving_a_dataset_needs_write_access_in_both_organizations(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client)
    yokohama = await publisher(anonymous, app, "yokohama")
    body = await ckan(
        anonymous,
        "package_patch",
        status=403,
        headers=yokohama,
        id="jinryu-2026",
        owner_org="kawasaki",
    )
    assert body["error"]["__type"] == "Authorization Error"
    moved = await result(client, "package_patch", id="jinryu-2026", owner_org="kawasaki")
    assert moved["owner_org"] == "kawasaki" and moved["organization"]["name"] == "kawasaki"
    found = await result(anonymous, "package_search", fq="organization:kawasaki", q="人流")
    assert found["count"] == 1
    kawasaki = await publisher(anonymous, app, "kawasaki")
    await ckan(anonymous, "package_delete", headers=kawasaki, id="jinryu-2026")


async def test_a_deactivated_tenants_datasets_and_organization_are_hidden(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, owner_org="sagamihara")
    response = await client.patch("/admin/v1/tenants/sagamihara", json={"active": False})
    assert response.status_code == 200, response.text
    await ckan(anonymous, "package_show", status=404, id="jinryu-2026")
    assert (await result(anonymous, "package_search"))["count"] == 0
    assert "sagamihara" not in await result(anonymous, "organization_list")
    await ckan(anonymous, "organization_show", status=404, id="sagamihara")
    await client.patch("/admin/v1/tenants/sagamihara", json={"active": True})
    assert (await result(anonymous, "package_show", id="jinryu-2026"))["owner_org"] == "sagamihara"


async def test_reading_the_shared_tenant_does_not_open_its_private_datasets(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, owner_org="shared", private=True)
    await create(client, name="shared-public", owner_org="shared")
    kawasaki = await publisher(anonymous, app, "kawasaki")
    await ckan(anonymous, "package_show", status=404, headers=kawasaki, id="jinryu-2026")
    shown = await ckan(anonymous, "package_show", headers=kawasaki, id="shared-public")
    assert shown["result"]["owner_org"] == "shared"
    member = await publisher(anonymous, app, "shared")
    assert (await ckan(anonymous, "package_show", headers=member, id="jinryu-2026"))["success"]
