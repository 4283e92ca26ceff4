"""The unit of work and connection handling of broker.core.db."""

import asyncio
from pathlib import Path

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


async def _write_count(database: Database) -> int:
    async with database.transaction() as session:
        await session.execute(text("UPDATE counters SET n = n + 1"))
        return int(await session.scalar(text("SELECT n FROM counters")) or 0)


async def test_an_open_sqlite_write_session_holds_no_one_up_until_its_first_statement(
    tmp_path: Path,
) -> None:
    """A request's session opens before its body is read: a slow client must not stall every
    writer of the process while it sends."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE counters (n INTEGER)"))
            await session.execute(text("INSERT INTO counters VALUES (0)"))
        async with database.transaction() as idle:
            other = asyncio.create_task(_write_count(database))
            assert await asyncio.wait_for(other, 10) == 1  # not queued behind `idle`
            await idle.execute(text("UPDATE counters SET n = n + 10"))
            waiting = asyncio.create_task(_write_count(database))
            await asyncio.sleep(0.2)
            assert not waiting.done()  # `idle` has written: the next writer waits its turn
        assert await asyncio.wait_for(waiting, 10) == 12
    finally:
        await database.dispose()
