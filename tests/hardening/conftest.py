"""Fixtures of the hardening tests: a store of the test's own (a fresh SQLite file, or a scratch
PostgreSQL database), for `renkei` processes the tests start, stop and kill."""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_ADMIN_URL, STORES, _admin


@pytest.fixture(params=STORES)
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store of this test's own, not migrated; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'renkei.db'}"
        return
    yield from _postgres_scratch()


@pytest.fixture
def postgres_scratch_url() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own, for what only PostgreSQL supports."""
    if "postgresql" not in STORES:
        pytest.skip("RENKEI_TEST_SKIP_POSTGRES=1")
    yield from _postgres_scratch()


def _postgres_scratch() -> Iterator[str]:
    name = f"renkei_hard_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
