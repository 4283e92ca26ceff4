"""Test fixtures: every storage test runs on SQLite and on PostgreSQL, with real migrations."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from auth.settings import AuthSettings
from broker.core.app import create_app
from broker.core.migrate import upgrade
from broker.core.settings import BrokerSettings
from migrations.metadata import all_tables
from tests.auth.helpers import get_token, make_client, register_tenant

# Apps of the tests run without the MQTT connector unless a test turns it on (tests/connectors).
os.environ.setdefault("RENKEI_MQTT_ENABLED", "0")
# Notification receivers and @context servers of the tests listen on loopback.
os.environ.setdefault("RENKEI_NOTIFY_ALLOW_PRIVATE", "1")

POSTGRES_ADMIN_URL = os.environ.get(
    "RENKEI_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SKIP_POSTGRES = os.environ.get("RENKEI_TEST_SKIP_POSTGRES") == "1"
if SKIP_POSTGRES and os.environ.get("RENKEI_TEST_REQUIRE_POSTGRES") == "1":
    raise RuntimeError("RENKEI_TEST_REQUIRE_POSTGRES=1 (CI) forbids RENKEI_TEST_SKIP_POSTGRES=1")
STORES = ["sqlite"] if SKIP_POSTGRES else ["sqlite", "postgresql"]
# Tenants registered for the whole run (with `default` and the shared tenant).
TEST_TENANTS = ("yokohama", "kawasaki", "sagamihara")
ADMIN_CLIENT = "test-admin"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(statement: str) -> None:
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_ADMIN_URL), timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(
            f"PostgreSQL is required for the tests and is not reachable at {POSTGRES_ADMIN_URL} "
            f"({exc}). Start it, point RENKEI_TEST_POSTGRES_URL at one, or set "
            "RENKEI_TEST_SKIP_POSTGRES=1 to run the SQLite half only."
        ) from exc
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    name = f"renkei_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "renkei.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session", params=STORES)
def database_url(request: pytest.FixtureRequest) -> str:
    """The database of one store, migrated to head with the real Alembic tree."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    return url


def make_settings(database_url: str, **overrides: object) -> BrokerSettings:
    return BrokerSettings(database_url=database_url, **overrides)  # type: ignore[arg-type]


def make_auth(**overrides: object) -> AuthSettings:
    """Auth settings of a test app. The token endpoint's failure throttle is off unless a test
    turns it on: every in-process request comes from 127.0.0.1, so the suite's deliberate
    wrong secrets would otherwise slow the tests that follow them."""
    throttle_off = {"token_failures_per_client": 0, "token_failures_per_address": 0}
    return AuthSettings(**(throttle_off | overrides))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    """The app on one store, auth on, with the test tenants and an admin client registered."""
    application = create_app(make_settings(database_url), auth=make_auth())
    async with LifespanManager(application):
        for name in TEST_TENANTS:
            await register_tenant(application, name)
        client_id, secret = await make_client(application, client_id=ADMIN_CLIENT)
        application.state.test_admin = (client_id, secret)
        yield application


@pytest.fixture(scope="session")
async def admin_token(app: FastAPI) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        return await get_token(http, *app.state.test_admin)


# Kept whole across tests: the signing keys of the session's tokens.
KEPT_TABLES = {"signing_keys"}
# Emptied first, in the workers' lock order, so a reset cannot deadlock with them: the notifier
# locks outbox rows before usage counters; the audit sealer inbox rows, then chain heads, then
# records, then usage counters (chain heads before records: a sealer holding a head makes the
# reset wait whole).
WORKER_LOCK_ORDER = (
    "notification_outbox",
    "audit_inbox",
    "audit_chains",
    "audit_records",
    "audit_checkpoints",
)


def _reset_statements(admin_client: str) -> list[str]:
    """DELETEs of every table of every package (dependents first), derived from the models so
    a new table cannot be forgotten; the session's tenants and clients stay."""
    removed_tenants = (
        "kind <> 'shared' AND id <> 'default' AND id NOT IN ("
        + ", ".join(f"'{t}'" for t in TEST_TENANTS)
        + ")"
    )
    keep_rows = {
        "oauth_clients": f"id NOT IN ('{admin_client}', '{ADMIN_CLIENT}')",
        "tenants": removed_tenants,
        "catalog_organizations": f"tenant_id IN (SELECT id FROM tenants WHERE {removed_tenants})",
    }
    dependents_first = [t.name for t in reversed(all_tables().sorted_tables)]
    order = [
        *WORKER_LOCK_ORDER,
        *(n for n in dependents_first if n not in KEPT_TABLES and n not in WORKER_LOCK_ORDER),
    ]
    return [
        f"DELETE FROM {name}" + (f" WHERE {keep_rows[name]}" if name in keep_rows else "")
        for name in order
    ]


async def reset_store(application: FastAPI) -> None:
    """Remove what a test made, keeping the session's tenants and clients. The audit log is
    sealed first: an entry still in the buffer (or claimed by the app's audit worker) would
    otherwise land after the reset, in the next test's records."""
    if getattr(application.state, "audit", None) is not None:
        from tests.auth.helpers import sealed

        await sealed(application)
    admin_client = application.state.auth_settings.admin_client_id
    async with application.state.db.write_session() as session:
        for statement in _reset_statements(admin_client):
            await session.execute(text(statement))
        await session.execute(text("UPDATE tenants SET active = true"))
        await session.commit()
    application.state.tenants.invalidate()
    application.state.directory.invalidate()


@pytest.fixture
async def client(app: FastAPI, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app holding an admin token (every scope, every tenant)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://renkei.test",
        headers={"Authorization": f"Bearer {admin_token}"},
    ) as http:
        yield http
    await reset_store(app)


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app without credentials."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        yield http
    await reset_store(app)
