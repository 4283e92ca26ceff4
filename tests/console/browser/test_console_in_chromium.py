"""The console in a real browser: sign in, register a tenant and a client, a municipal admin
kept to their municipality, the audit verify button. Screenshots go to tests/console/output."""

from fastapi import FastAPI

from auth.users.roles import AUDITOR, MUNICIPAL_ADMIN, PREFECTURE_ADMIN
from tests.auth.users.helpers import PASSWORD, make_user
from tests.console.browser.conftest import Watched


async def _sign_in(watched: Watched, user: str) -> None:
    page = watched.page
    await page.goto(watched.base + "/console")
    await page.get_by_label("ユーザーID").fill(user)
    await page.get_by_label("パスワード").fill(PASSWORD)
    await page.get_by_role("button", name="サインイン / Sign in").click()
    await page.wait_for_url(watched.base + "/console")


async def test_a_prefecture_admin_signs_in_and_registers_a_tenant_and_a_client(
    app: FastAPI, watched: Watched
) -> None:
    await make_user(app, "suzuki", PREFECTURE_ADMIN)
    page = watched.page
    await page.goto(watched.base + "/console")
    await watched.shot("signin")
    await _sign_in(watched, "suzuki")
    assert await page.locator("#subject").inner_text() == "suzuki"
    await watched.shot("home")
    await page.get_by_role("link", name="テナント", exact=True).click()
    await page.get_by_label("ID", exact=True).fill("hofu")
    await page.get_by_label("名称（日本語）").fill("防府市")
    await page.get_by_role("button", name="登録").click()
    await page.get_by_role("status").wait_for()
    assert "hofu" in await page.get_by_role("status").inner_text()
    assert await page.get_by_role("link", name="hofu").count() == 1
    await watched.shot("tenants")
    await page.get_by_role("link", name="クライアントとスコープ").click()
    await page.get_by_label("ID", exact=True).fill("hofu-flow")
    await page.get_by_label("名称", exact=True).fill("防府 人流")
    await page.get_by_label("ngsi-ld:read").check()
    await page.get_by_label("テナント", exact=True).fill("hofu")
    await page.get_by_role("button", name="登録").click()
    await page.locator("#client-secret").wait_for()
    assert len(await page.locator("#client-secret").inner_text()) > 20
    await watched.shot("clients")


async def test_a_municipal_admin_cannot_open_another_municipality(
    app: FastAPI, watched: Watched
) -> None:
    await make_user(app, "sato", MUNICIPAL_ADMIN, "yokohama")
    await _sign_in(watched, "sato")
    page = watched.page
    await page.get_by_role("link", name="テナント", exact=True).click()
    assert await page.get_by_role("link", name="yokohama").count() == 1
    assert await page.get_by_role("link", name="kawasaki").count() == 0
    response = await page.goto(watched.base + "/console/tenants/kawasaki")
    assert response is not None and response.status == 404
    await watched.shot("other-municipality")


async def test_an_auditor_runs_the_verify_button(app: FastAPI, watched: Watched) -> None:
    await make_user(app, "yamada", AUDITOR)
    await _sign_in(watched, "yamada")
    page = watched.page
    await page.get_by_role("link", name="監査ログ").click()
    await page.get_by_role("button", name="改ざん検証を実行").click()
    report = page.locator("#verify-report")
    await report.wait_for()
    assert "改ざんされていません" in await report.inner_text()
    await watched.shot("audit")


async def test_the_console_is_available_in_english(app: FastAPI, watched: Watched) -> None:
    await make_user(app, "yamada", AUDITOR)
    await _sign_in(watched, "yamada")
    page = watched.page
    await page.get_by_role("link", name="English").click()
    await page.get_by_role("link", name="Usage per tenant and month").click()
    assert await page.locator("html").get_attribute("lang") == "en"
    await watched.shot("usage-en")


async def test_the_pages_fit_a_phone_screen(app: FastAPI, watched: Watched) -> None:
    await make_user(app, "suzuki", PREFECTURE_ADMIN)
    page = watched.page
    await page.set_viewport_size({"width": 375, "height": 740})
    await _sign_in(watched, "suzuki")
    for path in ("/console", "/console/tenants", "/console/users"):
        await page.goto(watched.base + path)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    await page.get_by_label("ID", exact=True).focus()
    assert await page.evaluate("document.activeElement.id") == "user-id"
    await watched.shot("users-phone")
