"""The unit of work and connection handling of broker.core.db."""

import asyncpg
import pytest
from sqlalchemy import text

from broker.core import db as db_module
from broker.core.db import Database
from tests.conftest import SKIP_POSTGRES, _asyncpg_dsn


@pytest.mark.skipif(SKIP_POSTGRES, reason="PostgreSQL half skipped by RENKEI_TEST_SKIP_POSTGRES")
async def test_an_idle_connection_killed_by_the_server_is_replaced(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(postgresql_url, pool_size=1)
    try:
        async with database.read_session() as session:
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
        admin = await asyncpg.connect(_asyncpg_dsn(postgresql_url))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with database.read_session() as session:
            assert await session.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await database.dispose()
