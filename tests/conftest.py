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
    return AuthSettings(**overrides)  # type: ignore[arg-type]


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


async def reset_store(application: FastAPI) -> None:
    """Remove what a test made, keeping the session's tenants and clients."""
    keep_tenants = ", ".join(f"'{t}'" for t in TEST_TENANTS)
    async with application.state.db.write_session() as session:
        await session.execute(text("DELETE FROM entities"))
        await session.execute(text("DELETE FROM iot_devices"))
        await session.execute(text("DELETE FROM iot_service_groups"))
        await session.execute(text("DELETE FROM notification_outbox"))
        await session.execute(text("DELETE FROM subscriptions"))
        # In the sealer's lock order (inbox rows, then chain heads) so the two cannot deadlock;
        # chain heads before records, so a sealer holding a head makes this wait whole.
        for table in ("audit_inbox", "audit_chains", "audit_records", "audit_checkpoints"):
            await session.execute(text(f"DELETE FROM {table}"))
        await session.execute(text("DELETE FROM usage_counters"))
        await session.execute(text("DELETE FROM sharing_grants"))
        await session.execute(text("DELETE FROM revoked_tokens"))
        await session.execute(
            text("DELETE FROM oauth_clients WHERE id NOT IN (:admin, :test_admin)").bindparams(
                admin=application.state.auth_settings.admin_client_id, test_admin=ADMIN_CLIENT
            )
        )
        await session.execute(
            text(
                "DELETE FROM tenants WHERE kind <> 'shared' AND id <> 'default' "
                f"AND id NOT IN ({keep_tenants})"
            )
        )
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
