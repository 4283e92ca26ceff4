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

from broker.core.app import create_app
from broker.core.migrate import upgrade
from broker.core.settings import BrokerSettings

POSTGRES_ADMIN_URL = os.environ.get(
    "RENKEI_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SKIP_POSTGRES = os.environ.get("RENKEI_TEST_SKIP_POSTGRES") == "1"
STORES = ["sqlite"] if SKIP_POSTGRES else ["sqlite", "postgresql"]


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


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url))
    async with LifespanManager(application):
        yield application


async def reset_store(application: FastAPI) -> None:
    async with application.state.db.write_session() as session:
        await session.execute(text("DELETE FROM entities"))
        await session.execute(text("DELETE FROM tenants WHERE id <> 'default'"))
        await session.commit()
    application.state.tenants._known.clear()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        yield http
    await reset_store(app)
