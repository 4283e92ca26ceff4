"""The load generator: runs in its own process so it never shares the server's interpreter.

A load is a picklable description (`HttpLoad`, `PostgresLoad`) handed to `run_load` in the worker
process. Every load is measured the same way by `measure`: `concurrency` tasks each send one
request at a time, back to back; the first `warmup` seconds are not counted; then every request
that completes inside the fixed window of `duration` seconds counts towards the throughput and
the latency percentiles. CPU time of the load process and of the server process (read from
/proc on Linux) is sampled at both ends of the window, so a reader can see which side was busy.

HTTP goes through httpx with keep-alive. Each task owns an AsyncClient with one connection:
httpx's connection pool grows expensive when one client multiplexes many connections, and
that cost would land on the measurement.
"""

import asyncio
import dataclasses
import itertools
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx

from bench.client import Target

T = TypeVar("T")
MAX_ERRORS = 50  # a load stops early once this many requests have failed


@dataclass(frozen=True)
class Window:
    warmup: float
    duration: float


@dataclass(frozen=True)
class Measurement:
    """What one load achieved inside its measuring window."""

    completed: int  # requests (or batches) completed inside the window
    items: int  # entities (or requests) they carried
    duration: float
    errors: int
    first_error: str | None
    p50_ms: float | None
    p99_ms: float | None
    client_cpu: float | None  # share of one core used by the load process
    server_cpu: float | None  # share of one core used by the server process
    counts: dict[str, int] | None = None  # what a load beside the measured one got (FloodedLoad)

    @property
    def rate(self) -> float:
        return self.items / self.duration

    @property
    def per_server_cpu_second(self) -> float | None:
        """Throughput per second of server CPU: comparable even when the client was the limit."""
        if not self.server_cpu:
            return None
        return self.rate / self.server_cpu


class Load(Protocol):
    async def run(self) -> Measurement: ...


def run_load(load: Load) -> Measurement:
    """Entry point in the load process: one event loop (uvloop where available) per load."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(load.run())
    return uvloop.run(load.run())


def _process_cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of another process, from /proc (Linux); None elsewhere."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(ordered: list[float], fraction: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index] * 1000


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


async def measure(
    prepare: Callable[[int], T],
    send: Callable[[int, T], Awaitable[None]],
    *,
    concurrency: int,
    window: Window,
    items_per_request: int = 1,
    server_pid: int | None = None,
) -> Measurement:
    """Run `concurrency` tasks doing prepare(n) then send(task, item) until the window closes.

    `prepare` builds request number n outside the timed part; `send` raises on any failure.
    """
    clock = time.perf_counter
    start = clock() + window.warmup
    end = start + window.duration
    numbers = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    cpu: dict[str, tuple[float, float | None]] = {}

    async def task(index: int) -> None:
        while clock() < end and len(errors) < MAX_ERRORS:
            item = prepare(next(numbers))
            began = clock()
            try:
                await send(index, item)
            except Exception as error:
                errors.append(_describe(error))
                continue
            done = clock()
            if start <= done <= end:
                latencies.append(done - began)

    async def sample_cpu() -> None:
        for moment, name in ((start, "start"), (end, "end")):
            await asyncio.sleep(max(0.0, moment - clock()))
            cpu[name] = (time.process_time(), _process_cpu_seconds(server_pid))

    await asyncio.gather(sample_cpu(), *(task(i) for i in range(concurrency)))
    (client_0, server_0), (client_1, server_1) = cpu["start"], cpu["end"]
    latencies.sort()
    return Measurement(
        completed=len(latencies),
        items=len(latencies) * items_per_request,
        duration=window.duration,
        errors=len(errors),
        first_error=errors[0] if errors else None,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        client_cpu=(client_1 - client_0) / window.duration,
        server_cpu=(
            (server_1 - server_0) / window.duration
            if server_0 is not None and server_1 is not None
            else None
        ),
    )


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] | None = None
    body: bytes | None = None
    expect: frozenset[int] = frozenset({200})


class Requests(Protocol):
    """A picklable source of requests: request number n of a load."""

    def request(self, n: int) -> Request: ...


class UnexpectedStatus(Exception):
    pass


@dataclass(frozen=True)
class HttpLoad:
    """`concurrency` keep-alive HTTP clients sending `requests` to `target`."""

    target: Target
    requests: Requests
    concurrency: int
    window: Window
    items_per_request: int = 1
    server_pid: int | None = None

    async def run(self) -> Measurement:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [
            httpx.AsyncClient(
                base_url=self.target.base_url,
                headers=self.target.header_dict(),
                limits=limits,
                timeout=120,
                verify=False,  # plain HTTP on loopback: no need to load CA certificates
            )
            for _ in range(self.concurrency)
        ]

        async def send(index: int, request: Request) -> None:
            response = await clients[index].request(
                request.method, request.path, params=request.params, content=request.body
            )
            if response.status_code not in request.expect:
                raise UnexpectedStatus(
                    f"{request.method} {request.path} answered {response.status_code}: "
                    f"{response.text[:200]}"
                )

        try:
            return await measure(
                self.requests.request,
                send,
                concurrency=self.concurrency,
                window=self.window,
                items_per_request=self.items_per_request,
                server_pid=self.server_pid,
            )
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))


class Rows(Protocol):
    """A picklable source of row batches for `PostgresLoad`: batch number n."""

    def rows(self, n: int) -> list[tuple[Any, ...]]: ...


@dataclass(frozen=True)
class PostgresLoad:
    """`concurrency` asyncpg connections each running `executemany(statement, batch)`."""

    dsn: str
    statement: str
    batches: Rows
    batch_size: int
    concurrency: int
    window: Window

    async def run(self) -> Measurement:
        import asyncpg

        connections = [await asyncpg.connect(self.dsn) for _ in range(self.concurrency)]

        async def send(index: int, rows: list[tuple[Any, ...]]) -> None:
            await connections[index].executemany(self.statement, rows)

        try:
            return await measure(
                self.batches.rows,
                send,
                concurrency=self.concurrency,
                window=self.window,
                items_per_request=self.batch_size,
            )
        finally:
            await asyncio.gather(*(connection.close() for connection in connections))


@dataclass(frozen=True)
class FloodedLoad:
    """`measured` while a flood runs beside it in the same load process: `flood_clients`
    clients sending `flood` requests at `flood_rate` requests/s in all (paced, not as fast as
    they can), each answer counted by status. The measurement is the measured load's, with the
    flood's status counts; the flood starts before the measured warm-up and ends after it."""

    measured: HttpLoad
    flood_target: Target
    flood: Requests
    flood_rate: float
    flood_clients: int = 8

    async def run(self) -> Measurement:
        counts: dict[str, int] = {}
        stop = asyncio.Event()
        numbers = itertools.count()
        interval = self.flood_clients / self.flood_rate

        async def flooder() -> None:
            async with httpx.AsyncClient(
                base_url=self.flood_target.base_url,
                headers=self.flood_target.header_dict(),
                timeout=30,
            ) as http:
                next_at = time.perf_counter()
                while not stop.is_set():
                    request = self.flood.request(next(numbers))
                    try:
                        response = await http.request(
                            request.method, request.path, params=request.params
                        )
                        key = str(response.status_code)
                    except httpx.HTTPError as error:
                        key = type(error).__name__
                    counts[key] = counts.get(key, 0) + 1
                    next_at += interval
                    await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

        flooders = [asyncio.create_task(flooder()) for _ in range(self.flood_clients)]
        try:
            measurement = await self.measured.run()
        finally:
            stop.set()
            await asyncio.gather(*flooders, return_exceptions=True)
        return dataclasses.replace(measurement, counts=counts)
