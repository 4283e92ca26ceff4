"""The harness scenarios run in: options, servers started on demand, data sets, measurements.

One Renkei server per store and one hello-world server live for the whole run, each started the
first time a scenario asks for it. Measurements run in one load process, one at a time; the
harness process only starts servers, uploads data sets and waits while a load runs.
"""

import asyncio
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.client import prepare_auth, target, token_headers
from bench.entities import crowd_flows
from bench.load import HttpLoad, Load, Measurement, Requests, Window, run_load
from bench.mqtt import Mosquitto
from bench.notify import NotifyLoad, NotifyMeasurement, run_notify_load
from bench.servers import PostgresDatabase, Server, Unavailable, migrate, server_env
from bench.workloads import Hello

STORES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Options:
    window: Window
    entities: int  # size of the query data set
    batch_size: int  # entities per batch upsert
    get_ids: int  # entities the GET-by-id scenario reads
    clients: int = 32  # concurrent clients of single-request scenarios
    batch_clients: int = 4  # concurrent clients of batch scenarios
    stores: tuple[str, ...] = STORES
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Result:
    """One line of the report: a figure, and the baseline it is read against."""

    scenario: str
    store: str
    unit: str
    figure: float | None = None
    baseline_name: str | None = None
    baseline: float | None = None
    baseline_unit: str | None = None
    measurement: Measurement | None = None
    baseline_measurement: Measurement | None = None
    skipped: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.baseline:
            return None
        return self.figure / self.baseline

    @property
    def cpu_ratio(self) -> float | None:
        """The ratio of throughputs per second of server CPU (None if either is unknown)."""
        if self.measurement is None or self.baseline_measurement is None:
            return None
        ours = self.measurement.per_server_cpu_second
        theirs = self.baseline_measurement.per_server_cpu_second
        return ours / theirs if ours and theirs else None

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "store": self.store,
            "unit": self.unit,
            "figure": self.figure,
            "baseline_name": self.baseline_name,
            "baseline": self.baseline,
            "baseline_unit": self.baseline_unit,
            "ratio": self.ratio,
            "cpu_ratio": self.cpu_ratio,
            "skipped": self.skipped,
            "measurement": _measurement_json(self.measurement),
            "baseline_measurement": _measurement_json(self.baseline_measurement),
            "notes": self.notes,
        }


def _measurement_json(measurement: Measurement | None) -> dict[str, Any] | None:
    if measurement is None:
        return None
    return asdict(measurement) | {
        "rate": measurement.rate,
        "per_server_cpu_second": measurement.per_server_cpu_second,
    }


def measured(
    scenario: str,
    store: str,
    unit: str,
    measurement: Measurement,
    *,
    baseline_name: str,
    baseline: Measurement,
    baseline_unit: str = "req/s",
) -> Result:
    return Result(
        scenario=scenario,
        store=store,
        unit=unit,
        figure=measurement.rate,
        baseline_name=baseline_name,
        baseline=baseline.rate,
        baseline_unit=baseline_unit,
        measurement=measurement,
        baseline_measurement=baseline,
    )


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Harness:
    def __init__(self, options: Options, workdir: Path) -> None:
        self.options = options
        self.workdir = workdir
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
        self._servers: dict[str, Server] = {}
        self._postgres_unavailable: str | None = None
        self._postgres: dict[str, PostgresDatabase] = {}
        self._datasets: set[tuple[str, str]] = set()
        self._mosquittos: dict[str, Mosquitto] = {}
        self.setup: dict[str, Any] = {}  # what the run prepared, for the JSON report

    # -- measurements -----------------------------------------------------------------------

    async def measure(self, load: Load) -> Measurement:
        """Run a load in the load process and wait for its measurement."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, run_load, load)

    async def measure_notify(self, load: NotifyLoad) -> NotifyMeasurement:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, run_notify_load, load)

    def http_load(
        self, server: Server, requests: Requests, *, tenant: str | None = None, batch: int = 0
    ) -> HttpLoad:
        """A load of `requests` on `server` by the standard clients (batch clients if `batch`)."""
        return HttpLoad(
            target=target(server.base_url, tenant=tenant, auth=server.auth),
            requests=requests,
            concurrency=self.options.batch_clients if batch else self.options.clients,
            window=self.options.window,
            items_per_request=batch or 1,
            server_pid=server.pid,
        )

    async def hello_baseline(self) -> Measurement:
        """The hello-world server's req/s with the standard clients, measured now.

        Each scenario measures its own baseline right before its figure, so that a neighbour
        loading the machine between scenarios shifts both sides of a ratio alike.
        """
        server = self._servers.get("hello")
        if server is None:
            server = Server(
                "hello-world server",
                "bench.hello:create_app",
                env=server_env(),
                log=self.workdir / "hello.log",
            )
            await server.start("/hello")
            self._servers["hello"] = server
        measurement = await self.measure(self.http_load(server, Hello()))
        report("hello", "-", "req/s", measurement)
        return measurement

    # -- servers and stores -----------------------------------------------------------------

    async def postgres(self, name: str = "postgresql") -> PostgresDatabase:
        """A scratch PostgreSQL database of the run (Unavailable if the server cannot be
        reached); each Renkei server has its own, `postgresql` is also the raw baseline's."""
        if self._postgres_unavailable:
            raise Unavailable(self._postgres_unavailable)
        if name not in self._postgres:
            database = PostgresDatabase(self.options.postgres_url)
            try:
                await database.create()
            except Unavailable as error:
                self._postgres_unavailable = str(error)
                raise
            self._postgres[name] = database
            self.setup["postgresql_version"] = database.version
        return self._postgres[name]

    async def mosquitto(self, store: str) -> Mosquitto:
        """A Mosquitto of the run's own for `store`'s MQTT server (Unavailable if it is not
        installed), started on first use: one per store, so a server that stays up for the
        whole run never receives (and spends CPU on) the next store's traffic."""
        if store not in self._mosquittos:
            broker = Mosquitto(self.workdir / f"mosquitto-{store}")
            await broker.ready()
            self._mosquittos[store] = broker
        return self._mosquittos[store]

    async def renkei(
        self,
        store: str,
        *,
        secure: bool = True,
        mqtt_url: str | None = None,
        tenant_rate_limit: float | None = None,
    ) -> Server:
        """The Renkei server on `store`, migrated and ready (started on first use).

        `secure` servers run as in production, auth and audit on; the others with both off,
        as the baseline of what auth and audit cost. Each has a database of its own. Only a
        server given `mqtt_url` runs the MQTT connector (ingesting from that broker).
        """
        key = (store if secure else f"{store}-open") + ("-mqtt" if mqtt_url else "")
        key += f"-limit{tenant_rate_limit:g}" if tenant_rate_limit else ""
        if key in self._servers:
            return self._servers[key]
        data_dir = self.workdir / f"data-{key}"
        if store == "sqlite":
            url = f"sqlite+aiosqlite:///{data_dir / 'renkei.db'}"
        else:
            url = (await self.postgres(key)).url
        settings = {
            "data_dir": str(data_dir),
            "database_url": url,
            "log_level": "WARNING",
            "notify_allow_private": "1",  # the notify scenario's receiver is on loopback
        }
        if not secure:
            settings |= {"auth_disabled": "1", "audit_enabled": "0"}
        if tenant_rate_limit:
            settings["rate_limit_tenant"] = f"{tenant_rate_limit:g}"
        if mqtt_url:
            settings |= {"mqtt_enabled": "1", "mqtt_url": mqtt_url, "mqtt_client_id": unique("rb")}
        env = server_env(**settings)
        await migrate(env, self.workdir / f"migrate-{key}.log")
        credentials = await prepare_auth(env) if secure else None
        server = Server(
            f"Renkei on {store}" + ("" if secure else " (auth and audit off)"),
            "broker.core.app:create_app",
            env=env,
            log=self.workdir / f"renkei-{key}.log",
        )
        await server.start("/ready")
        if credentials is not None:
            server.auth = await token_headers(server.base_url, *credentials)
        self._servers[key] = server
        return server

    # -- data sets --------------------------------------------------------------------------

    async def upsert(
        self, server: Server, tenant: str, prefix: str, count: int, *, concurrency: int = 2
    ) -> float:
        """Upsert entities 0..count-1 of `prefix` in batches from this process; seconds taken."""
        size = self.options.batch_size
        starts = iter(range(0, count, size))
        goal = target(server.base_url, tenant=tenant, auth=server.auth)
        began = time.perf_counter()

        async def uploader() -> None:
            async with httpx.AsyncClient(
                base_url=goal.base_url, headers=goal.header_dict(), timeout=300
            ) as client:
                for start in starts:
                    body = orjson.dumps(crowd_flows(prefix, start, min(size, count - start)))
                    response = await client.post(
                        "/ngsi-ld/v1/entityOperations/upsert", content=body
                    )
                    if response.status_code not in (201, 204):
                        raise RuntimeError(
                            f"upsert into {server.name} failed with {response.status_code}: "
                            f"{response.text[:300]}"
                        )

        await asyncio.gather(*(uploader() for _ in range(concurrency)))
        return time.perf_counter() - began

    async def dataset(
        self,
        store: str,
        tenant: str,
        prefix: str,
        count: int,
        *,
        secure: bool = True,
        tenant_rate_limit: float | None = None,
    ) -> Server:
        """The Renkei server on `store` with `count` entities of `prefix` in `tenant`, once."""
        server = await self.renkei(store, secure=secure, tenant_rate_limit=tenant_rate_limit)
        limited = f"-limit{tenant_rate_limit:g}" if tenant_rate_limit else ""
        key = ((store if secure else f"{store}-open") + limited, tenant)
        if key not in self._datasets:
            progress(f"  loading {count:,} entities into {server.name} (tenant {tenant}) ...")
            seconds = await self.upsert(server, tenant, prefix, count)
            progress(f"  loaded in {seconds:.1f} s ({count / seconds:,.0f} entities/s)")
            if store == "postgresql":
                await self.analyze()
            self.setup[f"load_{key[0]}_{tenant}"] = {"entities": count, "seconds": seconds}
            self._datasets.add(key)
        return server

    async def analyze(self) -> None:
        """ANALYZE the PostgreSQL database, as autovacuum soon would after a bulk load.

        Without statistics the planner takes fresh tables for nearly empty and may pick plans
        (nested loops over every row) that no long-running deployment would see.
        """
        for database in self._postgres.values():
            connection = await asyncpg.connect(database.dsn)
            try:
                await connection.execute("ANALYZE")
            finally:
                await connection.close()

    # -- the end ----------------------------------------------------------------------------

    async def close(self) -> None:
        await asyncio.gather(*(server.stop() for server in self._servers.values()))
        for broker in self._mosquittos.values():
            broker.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for database in self._postgres.values():
            await database.drop()


def unique(prefix: str) -> str:
    """An id prefix no earlier load on the same server has used."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def report(scenario: str, store: str, unit: str, measurement: Measurement) -> None:
    latency = f", p50 {measurement.p50_ms:.1f} ms" if measurement.p50_ms is not None else ""
    errors = f", {measurement.errors} errors" if measurement.errors else ""
    progress(f"  {scenario} on {store}: {measurement.rate:,.0f} {unit}{latency}{errors}")
