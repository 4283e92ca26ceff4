"""The tenants and clients pages: what each role may open, forms with CSRF tokens."""

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from auth.users.roles import MUNICIPAL_ADMIN, MUNICIPAL_STAFF, PREFECTURE_ADMIN
from tests.broker.entities.helpers import headers
from tests.broker.subscriptions.helpers import SUBSCRIPTIONS, subscription
from tests.console.helpers import csrf_of, signed_in


async def test_the_tenants_page_needs_a_session(app: FastAPI, browser: httpx.AsyncClient) -> None:
    for path in ("/console/tenants", "/console/clients", "/console/tenants/yokohama"):
        assert (await browser.get(path)).status_code == 303
    assert (await browser.post("/console/tenants", data={"id": "x"})).status_code == 303


async def test_municipal_staff_cannot_open_the_admin_pages(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "tanaka", MUNICIPAL_STAFF, "yokohama")
    for path in ("/console/tenants", "/console/clients", "/console/tenants/yokohama"):
        response = await browser.get(path)
        assert response.status_code == 403, path
        assert "権限がありません" in response.text


async def test_a_prefecture_admin_registers_a_tenant(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "suzuki", PREFECTURE_ADMIN)
    page = await browser.get("/console/tenants")
    form = {"csrf_token": csrf_of(page), "id": "hofu", "name_ja": "防府市", "kind": "municipality"}
    created = await browser.post("/console/tenants", data=form)
    assert created.status_code == 201, created.text
    assert "防府市" in (await browser.get("/console/tenants")).text
    assert (await browser.get("/console/tenants/hofu")).status_code == 200


async def test_a_tenant_form_without_its_csrf_token_changes_nothing(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "suzuki", PREFECTURE_ADMIN)
    refused = await browser.post("/console/tenants", data={"id": "hofu", "csrf_token": "x"})
    assert refused.status_code == 403
    assert (await browser.get("/console/tenants/hofu")).status_code == 404


async def test_a_municipal_admin_sees_only_their_municipality(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    page = await browser.get("/console/tenants")
    assert page.status_code == 200
    assert "/console/tenants/yokohama" in page.text
    assert "kawasaki" not in page.text
    assert 'action="/console/tenants"' not in page.text  # registering needs the prefecture
    assert (await browser.get("/console/tenants/yokohama")).status_code == 200
    assert (await browser.get("/console/tenants/kawasaki")).status_code == 404


async def test_a_municipal_admin_cannot_register_a_tenant(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    page = await browser.get("/console/tenants")
    form = {"csrf_token": csrf_of(page), "id": "hofu", "kind": "municipality"}
    assert (await browser.post("/console/tenants", data=form)).status_code == 403


async def test_a_client_is_registered_and_its_secret_shown_once(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    page = await browser.get("/console/clients")
    form = {
        "csrf_token": csrf_of(page),
        "id": "yokohama-app",
        "name": "横浜アプリ",
        "scopes": ["ngsi-ld:read", "ngsi-ld:write"],
        "tenants": "yokohama",
    }
    created = await browser.post("/console/clients", data=form)
    assert created.status_code == 201, created.text
    assert 'id="client-secret">' in created.text
    listed = await browser.get("/console/clients")
    assert "yokohama-app" in listed.text
    assert 'id="client-secret"' not in listed.text
    token = await browser.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("yokohama-app", created.text.split('id="client-secret">')[1].split("<")[0]),
    )
    assert token.status_code == 200, token.text


async def test_a_municipal_admin_cannot_give_a_client_another_municipality(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    page = await browser.get("/console/clients")
    form = {
        "csrf_token": csrf_of(page),
        "name": "越境",
        "scopes": ["ngsi-ld:read"],
        "tenants": "kawasaki",
    }
    refused = await browser.post("/console/clients", data=form)
    assert refused.status_code == 403
    assert "越境" not in (await browser.get("/console/clients")).text


async def test_the_stylesheet_is_served_from_the_package(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    response = await browser.get("/console/static/console.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


async def _grant_and_subscription(client: httpx.AsyncClient) -> str:
    grant = await client.post(
        "/admin/v1/tenants/yokohama/grants",
        json={"granteeTenant": "kawasaki", "entityTypes": ["CrowdFlowObserved"]},
    )
    assert grant.status_code == 201, grant.text
    made = await client.post(
        SUBSCRIPTIONS,
        json=subscription("http://127.0.0.1:9/nowhere"),
        headers=headers("yokohama"),
    )
    assert made.status_code == 201, made.text
    return made.headers["Location"].rsplit("/", 1)[1]


async def test_a_tenant_page_shows_its_grants_and_subscriptions_and_their_failures(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    subscription_id = await _grant_and_subscription(client)
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    page = await browser.get("/console/tenants/yokohama")
    grants = page.text.split('<table id="grants">')[1].split("</table>")[0]
    assert "kawasaki" in grants and "CrowdFlowObserved" in grants
    rows = page.text.split('<table id="subscriptions">')[1].split("</table>")[0]
    assert subscription_id in rows and "正常" in rows and 'class="failed"' not in rows
    async with app.state.db.transaction() as session:
        await session.execute(
            text(
                "UPDATE subscriptions SET consecutive_failures = 1000, times_failed = 3"
                " WHERE tenant_id = 'yokohama'"
            )
        )
    failing = await browser.get("/console/tenants/yokohama")
    rows = failing.text.split('<table id="subscriptions">')[1].split("</table>")[0]
    assert 'class="failed"' in rows and "失敗中" in rows and "<td>3</td>" in rows


async def test_another_tenants_grants_and_subscriptions_stay_hidden(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    subscription_id = await _grant_and_subscription(client)
    await signed_in(app, browser, "kato", MUNICIPAL_ADMIN, "kawasaki")
    own = await browser.get("/console/tenants/kawasaki")
    assert own.status_code == 200
    assert subscription_id not in own.text
    assert (await browser.get("/console/tenants/yokohama")).status_code == 404
