"""Signing in to the console as a browser does: /console/login, the sign-in page, the callback."""

import re

import httpx
from fastapi import FastAPI

from tests.auth.users.helpers import PASSWORD, hidden_fields, make_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def console_sign_in(http: httpx.AsyncClient, user: str, password: str = PASSWORD) -> None:
    start = await http.get("/console/login")
    assert start.status_code == 302, start.text
    page = await http.get(start.headers["location"])
    assert page.status_code == 200, page.text
    form = {**hidden_fields(page.text), "username": user, "password": password}
    answer = await http.post("/oauth2/authorize", data=form)
    assert answer.status_code == 302, answer.text
    back = await http.get(answer.headers["location"])
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/console"


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found is not None, page.text
    return found.group(1)


async def signed_in(
    app: FastAPI, http: httpx.AsyncClient, user: str, role: str, tenant: str | None = None
) -> None:
    """A new user of this role, signed in to the console in `http`."""
    await make_user(app, user, role, tenant)
    await console_sign_in(http, user)
