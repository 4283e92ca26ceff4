"""People for tests: accounts made through the service, and the authorization code flow."""

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import FastAPI

from auth.principals import SYSTEM
from auth.users import service as users
from auth.users.schemas import UserCreate

PASSWORD = "correct horse battery staple"
CONSOLE = "renkei-console"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


async def make_user(
    app: FastAPI, user_id: str, role: str, tenant: str | None = None, password: str = PASSWORD
) -> None:
    body = UserCreate(
        id=user_id, name=f"{user_id} さん", role=role, tenant=tenant, password=password
    )
    async with app.state.db.transaction() as session:
        await users.create_user(session, SYSTEM, body=body)


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge) as RFC 7636 4.1 and 4.2 make them."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hidden_fields(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}


def authorize_params(app: FastAPI, challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CONSOLE,
        "redirect_uri": app.state.issuer + "/console/callback",
        "state": "xyz-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v}


async def sign_in_form(
    http: httpx.AsyncClient, params: dict[str, str], user: str, password: str
) -> httpx.Response:
    """GET the sign-in page, then POST it filled in."""
    page = await http.get("/oauth2/authorize", params=params)
    assert page.status_code == 200, page.text
    form = {**hidden_fields(page.text), "username": user, "password": password}
    return await http.post("/oauth2/authorize", data=form)


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    query = parse_qs(urlparse(response.headers["location"]).query)
    return query["code"][0]


async def exchange(
    http: httpx.AsyncClient, app: FastAPI, code: str, verifier: str
) -> httpx.Response:
    return await http.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.state.issuer + "/console/callback",
            "client_id": CONSOLE,
            "code_verifier": verifier,
        },
    )
