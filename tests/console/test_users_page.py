"""The people page: who sees which accounts, creating one with a first password."""

import httpx
from fastapi import FastAPI

from auth.users.roles import MUNICIPAL_ADMIN, MUNICIPAL_STAFF, PREFECTURE_ADMIN
from tests.auth.users.helpers import PASSWORD, make_user
from tests.console.helpers import console_sign_in, csrf_of, signed_in


def _rows(page: httpx.Response) -> str:
    return page.text.split('<table id="users">')[1].split("</table>")[0]


async def test_the_people_page_needs_a_session(app: FastAPI, browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/console/users")).status_code == 303
    assert (await browser.post("/console/users", data={"id": "x"})).status_code == 303


async def test_municipal_staff_cannot_open_the_people_page(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "tanaka", MUNICIPAL_STAFF, "yokohama")
    assert (await browser.get("/console/users")).status_code == 403


async def test_a_municipal_admin_sees_and_adds_people_of_their_municipality_only(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "kato", MUNICIPAL_STAFF, "kawasaki")
    await make_user(app, "suzuki", PREFECTURE_ADMIN)
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    page = await browser.get("/console/users")
    assert page.status_code == 200
    rows = _rows(page)
    assert "sato" in rows and "kato" not in rows and "suzuki" not in rows
    form = {
        "csrf_token": csrf_of(page),
        "id": "ito",
        "name": "伊藤",
        "role": MUNICIPAL_STAFF,
        "tenant": "yokohama",
        "password": PASSWORD,
    }
    assert (await browser.post("/console/users", data=form)).status_code == 201
    other = {**form, "id": "kimura", "tenant": "kawasaki"}
    assert (await browser.post("/console/users", data=other)).status_code == 403
    short = {**form, "id": "mori", "password": "short"}
    assert (await browser.post("/console/users", data=short)).status_code == 400
    forged = {**form, "id": "abe", "csrf_token": "forged"}
    assert (await browser.post("/console/users", data=forged)).status_code == 403
    rows = _rows(await browser.get("/console/users"))
    assert "ito" in rows and "kimura" not in rows and "mori" not in rows and "abe" not in rows


async def test_a_person_added_in_the_console_can_sign_in(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "suzuki", PREFECTURE_ADMIN)
    page = await browser.get("/console/users")
    form = {
        "csrf_token": csrf_of(page),
        "id": "yamada",
        "name": "山田",
        "role": "auditor",
        "password": PASSWORD,
    }
    assert (await browser.post("/console/users", data=form)).status_code == 201
    browser.cookies.clear()
    await console_sign_in(browser, "yamada")
    home = await browser.get("/console")
    assert 'id="subject">yamada<' in home.text
    assert "監査ログ" in home.text
