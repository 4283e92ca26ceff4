"""Is the store at the schema this Renkei was built for? `renkei serve` asks before it serves.

A store that was never migrated, was migrated part of the way, or was migrated by a newer
Renkei (an Alembic revision this code does not know) would answer requests with 500s or write
rows a newer schema does not expect; the server refuses to start on it instead, with one line
saying what to do.
"""

import asyncio
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from broker.core.migrate import alembic_config

VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def _where(url: str) -> str:
    """The store, named without its credentials."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {parsed.database}"
    return f"the database {parsed.database} on {parsed.host}:{parsed.port or 5432}"


def _revisions_of(connection: Connection) -> tuple[bool, set[str]]:
    """Whether the store has any table at all, and its current Alembic heads."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE not in tables:
        return bool(tables), set()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return True, {row[0] for row in rows}


async def _stored_revisions(url: str) -> tuple[bool, set[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_revisions_of)
    finally:
        await engine.dispose()


def problem(url: str) -> str | None:
    """Why the store at `url` cannot be served, or None when it is at this code's head.

    Run where no event loop is running (the CLI, before the server starts)."""
    where = _where(url)
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():
        return f"{where} does not exist: run `renkei migrate` to create the schema first"
    try:
        has_tables, stored = asyncio.run(_stored_revisions(url))
    except Exception as exc:  # any driver's failure to connect or to read
        return f"cannot open {where}: {exc.__class__.__name__}: {exc}".splitlines()[0]
    script = ScriptDirectory.from_config(alembic_config(url))
    heads = set(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    want = ", ".join(sorted(heads))
    if not stored:
        state = "has tables but no schema revision" if has_tables else "is empty"
        return f"{where} {state}: it is not migrated; run `renkei migrate` first"
    unknown = stored - known
    if unknown:
        return (
            f"{where} is at schema revision {', '.join(sorted(unknown))}, newer than this Renkei "
            f"(which knows up to {want}): it was migrated by a newer Renkei; run that version "
            "(`renkei migrate` of this one cannot go back)"
        )
    if stored != heads:
        return (
            f"{where} is partly migrated (at revision {', '.join(sorted(stored))}, this Renkei "
            f"needs {want}): run `renkei migrate` first"
        )
    return None
