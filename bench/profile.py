"""`python -m bench.profile PATH`: where one hot path's time goes, by cProfile.

Builds a fresh store (a temporary SQLite file, or a scratch PostgreSQL database with
`--store postgresql`), registers the benchmark's tenants and client with the CLI as the
benchmark does, then serves the app in-process (auth and audit on, MQTT off) and sends the
path's requests one after another through httpx's ASGI transport, profiling only those
requests. HTTP parsing by uvicorn is therefore not in the profile; everything Renkei does for a
request is. Prints the functions with the most own time and the most cumulative time, and the
mean time per request; never a pass/fail. See docs/performance.md for what it found.
"""

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench.client import prepare_auth
from bench.entities import ENTITY_TYPE, crowd_flow, crowd_flows
from bench.settings import BenchSettings

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
TENANT = {"NGSILD-Tenant": "bench_create"}
QUERY = {"type": ENTITY_TYPE, "q": "peopleCount>500;congested==true", "limit": "100"}
SEEDED = 1000


async def _create(http: httpx.AsyncClient, n: int) -> httpx.Response:
    return await http.post(
        "/ngsi-ld/v1/entities", json=crowd_flow(f"p{uuid.uuid4().hex[:12]}", n), headers=TENANT
    )


async def _get(http: httpx.AsyncClient, n: int) -> httpx.Response:
    return await http.get(
        f"/ngsi-ld/v1/entities/{crowd_flow('seed', n % SEEDED)['id']}", headers=TENANT
    )


async def _query(http: httpx.AsyncClient, n: int) -> httpx.Response:
    return await http.get("/ngsi-ld/v1/entities", params=QUERY, headers=TENANT)


async def _upsert(http: httpx.AsyncClient, n: int) -> httpx.Response:
    batch = crowd_flows(f"u{n}", 0, 100)
    return await http.post("/ngsi-ld/v1/entityOperations/upsert", json=batch, headers=TENANT)


PATHS: dict[str, tuple[Send, bool]] = {
    # name: (one request, needs the seeded entities)
    "create": (_create, False),
    "get": (_get, True),
    "query": (_query, True),
    "upsert": (_upsert, False),
}


class _Statements:
    """Counts the statements sent to the database while enabled, by their first 110 characters."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.enabled = True

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.enabled:
            self.counts[" ".join(statement.split())[:110]] += 1


def _count_statements(engine: Any) -> _Statements:
    statements = _Statements()
    event.listen(engine, "before_cursor_execute", statements)
    return statements


@asynccontextmanager
async def _store(kind: str, workdir: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'renkei.db'}"
        return
    admin = BenchSettings().postgres_url
    name = f"renkei_profile_{uuid.uuid4().hex[:10]}"
    plain = make_url(admin).set(drivername="postgresql")
    connection = await asyncpg.connect(plain.render_as_string(hide_password=False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        try:
            database = make_url(admin).set(drivername="postgresql+asyncpg", database=name)
            yield database.render_as_string(hide_password=False)
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def _profile(path: str, store: str, requests: int, top: int, match: str | None) -> str:
    send, seeded = PATHS[path]
    with tempfile.TemporaryDirectory(prefix="renkei-profile-") as workdir:
        async with _store(store, Path(workdir)) as url:
            env = os.environ | {"RENKEI_DATABASE_URL": url, "RENKEI_MQTT_ENABLED": "0"}
            os.environ.update(env)
            from broker.core.app import create_app
            from broker.core.migrate import upgrade

            await asyncio.to_thread(upgrade, url)
            client_id, secret = await prepare_auth(env)
            app = create_app()
            async with LifespanManager(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://p") as http:
                    token = await http.post(
                        "/oauth2/token",
                        data={"grant_type": "client_credentials"},
                        auth=(client_id, secret),
                    )
                    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
                    if seeded:
                        for start in range(0, SEEDED, 500):
                            batch = crowd_flows("seed", start, 500)
                            await http.post(
                                "/ngsi-ld/v1/entityOperations/upsert", json=batch, headers=TENANT
                            )
                    for n in range(20):  # warm caches outside the profile
                        (await send(http, n)).raise_for_status()
                    statements = _count_statements(app.state.db.engine.sync_engine)
                    profiler = cProfile.Profile()
                    began = time.perf_counter()
                    profiler.enable()
                    for n in range(requests):
                        response = await send(http, n + 20)
                        if response.status_code >= 300 and response.status_code != 207:
                            raise RuntimeError(f"{path}: {response.status_code} {response.text}")
                    profiler.disable()
                    elapsed = time.perf_counter() - began
                    statements.enabled = False
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"{path} on {store}: {requests} requests, {elapsed / requests * 1000:.2f} ms each\n")
    out.write(f"SQL statements per request: {sum(statements.counts.values()) / requests:.2f}\n")
    for sql, count in statements.counts.most_common():
        out.write(f"  {count / requests:5.2f}  {sql}\n")
    restrictions: tuple[str | int, ...] = (match, top) if match else (top,)
    stats.sort_stats("tottime").print_stats(*restrictions)
    stats.sort_stats("cumulative").print_stats(*restrictions)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    command = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    command.add_argument("path", choices=list(PATHS))
    command.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    command.add_argument("--requests", type=int, default=500)
    command.add_argument("--top", type=int, default=30, help="functions listed per table")
    command.add_argument(
        "--match",
        metavar="REGEX",
        help="list only functions whose file:line(name) matches, e.g. '/(broker|auth)/'",
    )
    args = command.parse_args(argv)
    print(asyncio.run(_profile(args.path, args.store, args.requests, args.top, args.match)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
