"""OAuth 2.0 authorization code with PKCE for people (RFC 6749 4.1, RFC 7636, RFC 9700 2.1.1)."""

from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import FastAPI

from auth.users.roles import MUNICIPAL_STAFF, PREFECTURE_ADMIN
from tests.auth.users.helpers import (
    authorize_params,
    code_of,
    exchange,
    hidden_fields,
    make_user,
    pkce,
    sign_in_form,
)


async def _token(browser: httpx.AsyncClient, app: FastAPI, user: str) -> dict[str, object]:
    verifier, challenge = pkce()
    answer = await sign_in_form(
        browser, authorize_params(app, challenge), user, "correct horse battery staple"
    )
    response = await exchange(browser, app, code_of(answer), verifier)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_a_person_signs_in_and_the_code_brings_back_the_state(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    _, challenge = pkce()
    answer = await sign_in_form(
        browser, authorize_params(app, challenge), "tanaka", "correct horse battery staple"
    )
    assert answer.status_code == 302
    location = urlparse(answer.headers["location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == app.state.issuer + "/console/callback"
    )
    assert parse_qs(location.query)["state"] == ["xyz-state"]


async def test_the_token_of_a_municipal_user_acts_only_in_their_municipality(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    token = (await _token(browser, app, "tanaka"))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    own = await browser.get(
        "/ngsi-ld/v1/entities",
        params={"type": "Thing"},
        headers={**headers, "NGSILD-Tenant": "yokohama"},
    )
    other = await browser.get(
        "/ngsi-ld/v1/entities",
        params={"type": "Thing"},
        headers={**headers, "NGSILD-Tenant": "kawasaki"},
    )
    assert own.status_code == 200, own.text
    assert other.status_code == 403, other.text


async def test_the_token_carries_the_scopes_of_the_role_only(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    token = (await _token(browser, app, "tanaka"))["access_token"]
    response = await browser.get("/admin/v1/tenants", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403, response.text


async def test_a_prefecture_admin_token_administers_tenants(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "suzuki", PREFECTURE_ADMIN)
    token = (await _token(browser, app, "suzuki"))["access_token"]
    response = await browser.get("/admin/v1/tenants", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


async def test_a_wrong_code_verifier_is_an_invalid_grant(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    _, challenge = pkce()
    other_verifier, _ = pkce()
    answer = await sign_in_form(
        browser, authorize_params(app, challenge), "tanaka", "correct horse battery staple"
    )
    response = await exchange(browser, app, code_of(answer), other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_a_code_is_exchanged_once(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    verifier, challenge = pkce()
    answer = await sign_in_form(
        browser, authorize_params(app, challenge), "tanaka", "correct horse battery staple"
    )
    code = code_of(answer)
    assert (await exchange(browser, app, code, verifier)).status_code == 200
    again = await exchange(browser, app, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_a_plain_or_missing_challenge_is_refused(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    verifier, _ = pkce()
    plain = authorize_params(app, verifier, code_challenge_method="plain")
    unnamed = authorize_params(app, verifier, code_challenge_method="")
    missing = authorize_params(app, "", code_challenge_method="")
    for params in (plain, unnamed, missing):
        page = await browser.get("/oauth2/authorize", params=params)
        assert page.status_code == 400, params
        assert 'name="password"' not in page.text


async def test_an_unregistered_redirect_uri_is_refused(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    _, challenge = pkce()
    params = authorize_params(app, challenge, redirect_uri="http://evil.example/callback")
    page = await browser.get("/oauth2/authorize", params=params)
    assert page.status_code == 400
    assert "evil.example" not in page.headers.get("location", "")


async def test_a_confidential_client_cannot_ask_for_a_code(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    _, challenge = pkce()
    admin_client = app.state.test_admin[0]
    page = await browser.get(
        "/oauth2/authorize", params=authorize_params(app, challenge, client_id=admin_client)
    )
    assert page.status_code == 400


async def test_the_sign_in_form_needs_its_csrf_token(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    _, challenge = pkce()
    page = await browser.get("/oauth2/authorize", params=authorize_params(app, challenge))
    form = {
        **hidden_fields(page.text),
        "username": "tanaka",
        "password": "correct horse battery staple",
    }
    forged = {**form, "csrf_token": "forged"}
    assert (await browser.post("/oauth2/authorize", data=forged)).status_code == 403
    browser.cookies.clear()
    assert (await browser.post("/oauth2/authorize", data=form)).status_code == 403


async def test_the_sign_in_cookie_is_httponly_and_samesite_lax(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    _, challenge = pkce()
    page = await browser.get("/oauth2/authorize", params=authorize_params(app, challenge))
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/oauth2/authorize" in cookie


async def test_the_server_metadata_names_the_authorization_endpoint(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    body = (await browser.get("/.well-known/oauth-authorization-server")).json()
    assert body["authorization_endpoint"] == app.state.issuer + "/oauth2/authorize"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert "authorization_code" in body["grant_types_supported"]
