"""The processes under test: uvicorn servers on free loopback ports, and a scratch PostgreSQL
database. Both the Renkei server and the hello-world baseline run with `UVICORN_ARGS`."""

import asyncio
import os
import socket
import sys
import time
import uuid
from pathlib import Path
from typing import IO

import asyncpg
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
# One worker process, uvicorn's default event loop and HTTP parser (uvloop and httptools where
# installed), no access log: the same for every server in a run.
UVICORN_ARGS = ("--host", HOST, "--log-level", "warning", "--no-access-log")
STARTUP_TIMEOUT = 60.0


class Unavailable(Exception):
    """Something a scenario needs cannot be had; the scenario is reported as skipped."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _open_log(path: Path) -> IO[bytes]:
    return path.open("ab")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Server:
    """A uvicorn subprocess serving an app factory (`module:function`)."""

    def __init__(self, name: str, factory: str, *, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.factory = factory
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self.auth: dict[str, str] = {}  # headers that authenticate the benchmark client

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    async def start(self, ready_path: str) -> None:
        log = _open_log(self.log)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "uvicorn",
                self.factory,
                "--factory",
                "--port",
                str(self.port),
                *UVICORN_ARGS,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        await self._wait_ready(ready_path)

    async def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while True:
                assert self.process is not None
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited on start:\n{_tail(self.log)}")
                try:
                    if (await client.get(path)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} not ready in time:\n{_tail(self.log)}")
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def server_env(**settings: str) -> dict[str, str]:
    """The environment of a server: ours, with the given RENKEI_ settings put over it."""
    env = {k: v for k, v in os.environ.items() if k != "RENKEI_DATABASE_URL"}
    env["RENKEI_MQTT_ENABLED"] = "0"  # only the MQTT scenario's server connects to a broker
    return env | {f"RENKEI_{key.upper()}": value for key, value in settings.items()}


async def migrate(env: dict[str, str], log: Path) -> None:
    """`renkei migrate` on the database the environment names."""
    output = _open_log(log)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "broker.cli", "migrate", cwd=ROOT, env=env, stdout=output
        )
    finally:
        output.close()
    if await process.wait() != 0:
        raise RuntimeError(f"renkei migrate failed:\n{_tail(log)}")


def asyncpg_dsn(url: str) -> str:
    """A libpq-style URL for asyncpg from a SQLAlchemy or libpq PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresDatabase:
    """A fresh database on the local server, created for one run and dropped after it."""

    def __init__(self, admin_url: str) -> None:
        self.admin_dsn = asyncpg_dsn(admin_url)
        self.name = f"renkei_bench_{uuid.uuid4().hex[:12]}"
        parsed = make_url(admin_url).set(database=self.name)
        self.url = parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
        self.dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self.version = ""
        self.created = False

    async def _admin(self, statement: str) -> str:
        connection = await asyncpg.connect(self.admin_dsn, timeout=5)
        try:
            await connection.execute(statement)
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    async def create(self) -> None:
        where = make_url(self.admin_dsn).render_as_string(hide_password=True)
        try:
            self.version = await self._admin(f'CREATE DATABASE "{self.name}"')
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            raise Unavailable(
                f"PostgreSQL not reachable at {where} ({type(error).__name__}: {error}); "
                "start it or set RENKEI_BENCH_POSTGRES_URL"
            ) from error
        self.created = True

    async def drop(self) -> None:
        if self.created:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
