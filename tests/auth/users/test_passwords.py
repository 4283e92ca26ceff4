"""Signing in with a password: argon2 hashes, the same answer for a wrong name or password,
the account locked after repeated failures."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from auth.principals import Principal
from auth.users import service as users
from auth.users.roles import MUNICIPAL_ADMIN, MUNICIPAL_STAFF, PREFECTURE_ADMIN, ROLES
from auth.users.schemas import UserCreate
from broker.core.errors import Forbidden
from tests.auth.users.helpers import PASSWORD, authorize_params, make_user, pkce, sign_in_form


async def test_the_password_is_stored_as_an_argon2id_hash(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    async with app.state.db.read_session() as session:
        stored = (await session.execute(text("SELECT password_hash FROM users"))).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_a_wrong_password_and_an_unknown_name_answer_alike(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    _, challenge = pkce()
    params = authorize_params(app, challenge)
    wrong = await sign_in_form(browser, params, "tanaka", "not the password")
    unknown = await sign_in_form(browser, params, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "ユーザーIDまたはパスワードが違います" in wrong.text
    assert "ユーザーIDまたはパスワードが違います" in unknown.text


async def test_the_account_locks_after_repeated_failures(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    _, challenge = pkce()
    params = authorize_params(app, challenge)
    for _ in range(app.state.signin_lockout.max_failures):
        assert (await sign_in_form(browser, params, "tanaka", "wrong")).status_code == 401
    locked = await sign_in_form(browser, params, "tanaka", PASSWORD)
    assert locked.status_code == 401
    assert "ロック" in locked.text


async def test_a_good_password_resets_the_failure_count(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "tanaka", MUNICIPAL_STAFF, "yokohama")
    _, challenge = pkce()
    params = authorize_params(app, challenge)
    for _ in range(app.state.signin_lockout.max_failures - 1):
        await sign_in_form(browser, params, "tanaka", "wrong")
    assert (await sign_in_form(browser, params, "tanaka", PASSWORD)).status_code == 302
    for _ in range(app.state.signin_lockout.max_failures - 1):
        await sign_in_form(browser, params, "tanaka", "wrong")
    assert (await sign_in_form(browser, params, "tanaka", PASSWORD)).status_code == 302


def _municipal_admin(tenant: str) -> Principal:
    return Principal(
        subject="sato",
        client_id="renkei-console",
        scopes=frozenset(ROLES[MUNICIPAL_ADMIN].scopes),
        tenants=frozenset({tenant}),
    )


async def test_a_municipal_admin_creates_staff_of_their_municipality_only(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    admin = _municipal_admin("yokohama")
    async with app.state.db.transaction() as session:
        made = await users.create_user(
            session,
            admin,
            body=UserCreate(
                id="ito", name="伊藤", role=MUNICIPAL_STAFF, tenant="yokohama", password=PASSWORD
            ),
        )
        assert made.tenants == ["yokohama"]
        with pytest.raises(Forbidden):
            await users.create_user(
                session,
                admin,
                body=UserCreate(
                    id="kato",
                    name="加藤",
                    role=MUNICIPAL_STAFF,
                    tenant="kawasaki",
                    password=PASSWORD,
                ),
            )
        with pytest.raises(Forbidden):
            await users.create_user(
                session,
                admin,
                body=UserCreate(id="kimura", name="木村", role=PREFECTURE_ADMIN, password=PASSWORD),
            )
