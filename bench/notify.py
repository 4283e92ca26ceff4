"""The notification load: entity updates at a steady rate, each notified to a receiver of the
load's own; latency from the update's commit (its 204 arrived) to the notification's receipt.

The receiver is a minimal HTTP/1.1 server on loopback inside the load process (keep-alive, 204
for every POST), so it costs the measurement as little as possible. Each update writes a new
sequence number into `peopleCount`; the notification carries it back, which pairs every
receipt with its update. The figure is notifications received per second inside the window;
its baseline is the updates committed per second in the same window (ratio 1.0: every update
was notified within the window).
"""

import asyncio
import itertools
import time
from dataclasses import dataclass

import httpx
import orjson

from bench.client import Target
from bench.load import Measurement, Window, _percentile, _process_cpu_seconds

ENTITY_TYPE = "CrowdFlowObserved"
ENTITIES = 100
UPDATERS = 16


@dataclass(frozen=True)
class NotifyMeasurement:
    notifications: Measurement
    updates: Measurement


class _Receiver:
    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                now = time.perf_counter()
                for entity in orjson.loads(body)["data"]:
                    self.arrived.setdefault(int(entity["peopleCount"]["value"]), now)
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()  # the client went away, or the load ends

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()


def _check(response: httpx.Response) -> None:
    """Raise a picklable error (the load runs in another process) for a failed request."""
    if response.status_code >= 300:
        raise RuntimeError(
            f"{response.request.url} answered {response.status_code}: {response.text}"
        )


def run_notify_load(load: "NotifyLoad") -> NotifyMeasurement:
    """Entry point in the load process."""
    return asyncio.run(load.run())


@dataclass(frozen=True)
class NotifyLoad:
    target: Target
    rate: float  # updates per second offered
    window: Window
    server_pid: int | None = None

    async def run(self) -> NotifyMeasurement:
        receiver = _Receiver()
        await receiver.start()
        http = httpx.AsyncClient(
            base_url=self.target.base_url,
            headers=self.target.header_dict() | {"Content-Type": "application/json"},
            timeout=60,
        )
        try:
            ids = await self._prepare(http, f"http://127.0.0.1:{receiver.port}/notify")
            return await self._measure(http, receiver, ids)
        finally:
            await http.aclose()
            receiver.stop()

    async def _prepare(self, http: httpx.AsyncClient, uri: str) -> list[str]:
        tag = str(time.time_ns())
        entities = [
            {
                "id": f"urn:ngsi-ld:{ENTITY_TYPE}:notify-{tag}-{n}",
                "type": ENTITY_TYPE,
                "peopleCount": {"type": "Property", "value": -1},
            }
            for n in range(ENTITIES)
        ]
        response = await http.post("/ngsi-ld/v1/entityOperations/upsert", json=entities)
        _check(response)
        subscription = {
            "type": "Subscription",
            "entities": [{"idPattern": f"notify-{tag}-", "type": ENTITY_TYPE}],
            "watchedAttributes": ["peopleCount"],
            "notification": {"endpoint": {"uri": uri}, "attributes": ["peopleCount"]},
        }
        response = await http.post("/ngsi-ld/v1/subscriptions", json=subscription)
        _check(response)
        return [str(e["id"]) for e in entities]

    async def _measure(
        self, http: httpx.AsyncClient, receiver: _Receiver, ids: list[str]
    ) -> NotifyMeasurement:
        clock = time.perf_counter
        start = clock() + self.window.warmup
        end = start + self.window.duration
        queue: asyncio.Queue[int] = asyncio.Queue()
        committed: dict[int, tuple[float, float]] = {}  # sequence: (sent, committed)
        errors: list[str] = []
        cpu: dict[str, tuple[float, float | None]] = {}

        async def ticker() -> None:
            numbers = itertools.count()
            began = clock()
            while clock() < end:
                sequence = next(numbers)
                queue.put_nowait(sequence)
                await asyncio.sleep(max(0.0, began + (sequence + 1) / self.rate - clock()))

        async def updater() -> None:
            while True:
                sequence = await queue.get()
                entity_id = ids[sequence % len(ids)]
                sent = clock()
                response = await http.patch(
                    f"/ngsi-ld/v1/entities/{entity_id}/attrs",
                    content=orjson.dumps({"peopleCount": {"type": "Property", "value": sequence}}),
                )
                if response.status_code != 204:
                    errors.append(f"update answered {response.status_code}")
                    continue
                committed[sequence] = (sent, clock())

        async def sample_cpu() -> None:
            for moment, name in ((start, "start"), (end, "end")):
                await asyncio.sleep(max(0.0, moment - clock()))
                cpu[name] = (time.process_time(), _process_cpu_seconds(self.server_pid))

        updaters = [asyncio.create_task(updater()) for _ in range(UPDATERS)]
        await asyncio.gather(ticker(), sample_cpu())
        for task in updaters:  # the window is over: updates still queued are not sent
            task.cancel()
        await asyncio.gather(*updaters, return_exceptions=True)
        await asyncio.sleep(2.0)  # stragglers of the window's last updates
        in_window = {s: t for s, t in committed.items() if start <= t[1] <= end}
        latencies = sorted(
            receiver.arrived[s] - t[1] for s, t in in_window.items() if s in receiver.arrived
        )
        update_times = sorted(t[1] - t[0] for t in in_window.values())
        received = sum(1 for at in receiver.arrived.values() if start <= at <= end)
        lost = sum(1 for s in in_window if s not in receiver.arrived)
        (client_0, server_0), (client_1, server_1) = cpu["start"], cpu["end"]
        seconds = self.window.duration
        server_cpu = (
            (server_1 - server_0) / seconds
            if server_0 is not None and server_1 is not None
            else None
        )
        client_cpu = (client_1 - client_0) / seconds

        def measurement(items: int, ordered: list[float], failures: list[str]) -> Measurement:
            return Measurement(
                completed=items,
                items=items,
                duration=seconds,
                errors=len(failures),
                first_error=failures[0] if failures else None,
                p50_ms=_percentile(ordered, 0.50),
                p99_ms=_percentile(ordered, 0.99),
                client_cpu=client_cpu,
                server_cpu=server_cpu,
            )

        missing = [f"{lost} updates of the window not notified within 2 s"] if lost else []
        return NotifyMeasurement(
            notifications=measurement(received, latencies, missing),
            updates=measurement(len(in_window), update_times, errors),
        )
