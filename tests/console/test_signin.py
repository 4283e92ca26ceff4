"""Signing in to the console (authorization code + PKCE, signed session cookie), signing out."""

import httpx
from fastapi import FastAPI
from starlette.requests import Request

from auth.cookies import secure
from auth.users.roles import MUNICIPAL_STAFF, PREFECTURE_ADMIN
from tests.auth.users.helpers import make_user
from tests.console.helpers import csrf_of, signed_in


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    response = await browser.get("/console")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


async def test_a_forged_session_cookie_is_not_a_session(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    browser.cookies.set("renkei_console", "eyJ0IjoiZm9yZ2VkIn0.forged.sig")
    response = await browser.get("/console")
    assert response.status_code == 303


async def test_a_person_signs_in_and_sees_who_they_are(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "tanaka", MUNICIPAL_STAFF, "yokohama")
    home = await browser.get("/console")
    assert home.status_code == 200
    assert 'id="subject">tanaka<' in home.text
    assert 'id="user-tenants">yokohama<' in home.text
    assert '<html lang="ja">' in home.text


async def test_the_session_cookie_is_httponly_samesite_lax_and_not_secure_on_loopback(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    start = await browser.get("/console/login")
    cookie = start.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # the app's issuer is http://127.0.0.1


def _request(url: str) -> Request:
    scheme, _, rest = url.partition("://")
    host, _, port = rest.partition(":")
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": (host, int(port or (443 if scheme == "https" else 80))),
        "path": "/",
        "headers": [(b"host", rest.encode())],
        "query_string": b"",
    }
    return Request(scope)


def test_cookies_are_secure_everywhere_but_plain_http_to_loopback() -> None:
    assert not secure(_request("http://127.0.0.1:8000"))
    assert not secure(_request("http://localhost:8000"))
    assert secure(_request("https://127.0.0.1:8443"))
    assert secure(_request("http://renkei.pref.example:80"))
    assert secure(_request("https://renkei.pref.example:443"))


async def test_a_callback_with_another_state_is_refused(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await browser.get("/console/login")
    response = await browser.get("/console/callback", params={"code": "x", "state": "other"})
    assert response.status_code == 400
    assert "renkei_console=" not in response.headers.get("set-cookie", "")


async def test_signing_out_needs_the_csrf_token_and_ends_the_session(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "suzuki", PREFECTURE_ADMIN)
    home = await browser.get("/console")
    refused = await browser.post("/console/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert (await browser.get("/console")).status_code == 200
    out = await browser.post("/console/logout", data={"csrf_token": csrf_of(home)})
    assert out.status_code == 303
    assert (await browser.get("/console")).status_code == 303


async def test_english_is_available(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await signed_in(app, browser, "suzuki", PREFECTURE_ADMIN)
    page = await browser.get("/console", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Sign out" in page.text
    assert '<html lang="en">' in (await browser.get("/console")).text  # kept in a cookie
