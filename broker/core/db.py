"""Database engine, session factories and the per-request session dependency."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, MetaData, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from broker.core.journal import Journal, attach

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both stores (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE for write sessions so writers queue, not fail."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("renkei_write", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif options.get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN")


# A pooled connection idle for longer than this is pinged before use (one round trip); busy
# connections are not, so requests do not pay a ping each (SQLAlchemy's pool_pre_ping would).
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["renkei_last_used"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("renkei_last_used")
        if last is None or time.monotonic() - last < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("stale pooled connection") from exc  # the pool retries


SQLITE_WRITER_WAIT = 30.0  # seconds, as SQLite's busy timeout


class _WriterQueue:
    """SQLite has one write lock per database. Write transactions of this process take turns
    here, in order, instead of in SQLite's busy handler, which sleeps ever longer (up to 100 ms)
    between tries and lets busy writers starve the others (the notification worker, say).

    A session takes its turn before its first statement, not when it opens: a request's
    session opens before the request body is read and its @context fetched, and a slow client
    must not hold up every writer. A task that already holds the turn may run another write
    transaction (the guard registers a tenant while the request's session is open): it does
    not queue again, and SQLite's own lock decides as before. Waiting longer than SQLite's
    busy timeout fails the same way SQLite would.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    async def enter(self, session: AsyncSession) -> None:
        if session.info.get(_TURN_TAKEN):
            return
        session.info[_TURN_TAKEN] = True
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            return
        try:
            async with asyncio.timeout(SQLITE_WRITER_WAIT):
                await self._lock.acquire()
        except TimeoutError as exc:
            raise OperationalError(
                "BEGIN IMMEDIATE", None, Exception("database is locked")
            ) from exc
        self._owner = task
        session.info[_TURN_HELD] = True

    def leave(self, session: AsyncSession) -> None:
        session.info.pop(_TURN_TAKEN, None)
        if session.info.pop(_TURN_HELD, False):
            self._owner = None
            self._lock.release()


_TURN_QUEUE, _TURN_TAKEN, _TURN_HELD = "renkei.turn", "renkei.turn.taken", "renkei.turn.held"


class _WriteSession(AsyncSession):
    """A write session: on SQLite, each method that reaches the database first waits for the
    process's writer turn (see _WriterQueue)."""

    async def wait_turn(self) -> None:
        queue: _WriterQueue | None = self.info.get(_TURN_QUEUE)
        if queue is not None:
            await queue.enter(self)


def _after_turn(name: str) -> Callable[..., Awaitable[Any]]:
    method = getattr(AsyncSession, name)

    async def call(self: _WriteSession, *args: Any, **kwargs: Any) -> Any:
        await self.wait_turn()
        return await method(self, *args, **kwargs)

    call.__name__ = name
    return call


for _name in (
    "execute",
    "scalar",
    "scalars",
    "stream",
    "stream_scalars",
    "get",
    "get_one",
    "merge",
    "refresh",
    "delete",
    "flush",
    "commit",
    "connection",
    "run_sync",
):
    setattr(_WriteSession, _name, _after_turn(_name))


CommitHook = Callable[[AsyncSession], Awaitable[None]]
# session.info key under which the request that opened a unit of work is kept for commit hooks.
REQUEST_INFO = "renkei.request"
_CHANGED_INFO = "renkei.changed"


def changed(session: AsyncSession, table: str) -> None:
    """Note that this unit of work wrote `table`: its in-process copies reload after commit."""
    session.info.setdefault(_CHANGED_INFO, set()).add(table)


class Database:
    """The engine, its two session factories (read and write), and the unit of work.

    Commit hooks run inside every write transaction just before it commits, in the order they
    were added: whatever must be stored together with a change (notifications to send, the
    audit record) is written there, so it commits or rolls back with the change.
    """

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {
            "json_serializer": _json_dumps,
            "json_deserializer": orjson.loads,
        }
        if not self.is_sqlite:
            kwargs |= {"pool_size": pool_size, "max_overflow": pool_size, "pool_recycle": 1800}
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _ping_when_idle(self.engine)
        # Reads run without BEGIN/COMMIT round trips: each statement sees committed data.
        read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        write_engine = self.engine.execution_options(renkei_write=True)
        self.read_session = async_sessionmaker(read_engine, expire_on_commit=False)
        self.write_session = async_sessionmaker(
            write_engine, class_=_WriteSession, expire_on_commit=False
        )
        self.commit_hooks: list[CommitHook] = []
        self._on_changed: dict[str, list[Callable[[], None]]] = {}
        self._sqlite_writers = _WriterQueue() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One unit of work: the commit hooks run, then it commits; any error rolls it back."""
        factory = self.write_session if write else self.read_session
        queue = self._sqlite_writers if write else None
        async with factory() as session:
            if queue is not None:
                session.info[_TURN_QUEUE] = queue  # taken by its first statement
            try:
                yield session
                if write:
                    for hook in self.commit_hooks:
                        await hook(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                if queue is not None:
                    queue.leave(session)
            for table in session.info.pop(_CHANGED_INFO, ()):
                for callback in self._on_changed.get(table, ()):
                    callback()

    def on_changed(self, table: str, callback: Callable[[], None]) -> None:
        """Call `callback` after any unit of work that changed `table` has committed."""
        self._on_changed.setdefault(table, []).append(callback)

    async def ping(self) -> None:
        """One round trip to the database (readiness); raises when it does not answer."""
        async with self.read_session() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT clauses on both SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request, committed after the handler returns, rolled back on error.

    Its journal stays on `request.state.journal`; `request.state.committed` says it committed.
    """
    db: Database = request.app.state.db
    entry = request.state.journal = Journal()
    async with db.transaction(write=request.method not in READ_METHODS) as session:
        session.info[REQUEST_INFO] = request
        attach(session, entry)
        yield session
    request.state.committed = True


# scope="function": the commit happens before the response is sent, so a failed commit is a 500.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
