"""The real `renkei` command in a subprocess, on a store of the test's own."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from broker.core.migrate import ensure_sqlite_directory
from tests.servers import free_port
from tests.test_cli import ROOT


def store_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a `renkei` process on the store at `url` (no MQTT unless told)."""
    return {
        "RENKEI_DATABASE_URL": url,
        "RENKEI_MQTT_ENABLED": "0",
        "RENKEI_PORT": str(free_port()),
        "RENKEI_NOTIFY_ALLOW_PRIVATE": "1",
        **extra,
    }


def renkei(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `renkei <args>` to its end (a server that does not stop within `timeout` fails)."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "broker.cli", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        command = " ".join(args)
        raise AssertionError(f"`renkei {command}` still ran after {timeout} s") from exc


def start(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `renkei <args>` in the background, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "broker.cli", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def run_sql(url: str, *statements: str) -> list[list[tuple[Any, ...]]]:
    """Run SQL statements on the store (outside any server), committed; their rows."""
    ensure_sqlite_directory(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            results = []
            for statement in statements:
                result = await connection.execute(text(statement))
                results.append([tuple(r) for r in result] if result.returns_rows else [])
            return results
    finally:
        await engine.dispose()


def execute(url: str, *statements: str) -> list[list[tuple[Any, ...]]]:
    """run_sql, from a test that runs no event loop."""
    return asyncio.run(run_sql(url, *statements))
