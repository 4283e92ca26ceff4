"""MQTT loads: device measures from publish to committed entity update, and the raw paho
publish→subscribe rate of the same broker as their baseline.

Both loads publish QoS 1 messages flat out from one connection (a bounded number in flight)
and count what arrived at the far end inside the window: the raw load counts messages its own
subscriber receives; the ingestion load counts the messages Renkei acknowledged after their
batch committed (the service group's `acknowledged` counter of the provisioning API), so every
counted measure is an entity update in the database. Publishing pauses while Renkei is more
than `max_backlog` messages behind, so the broker's queue stays bounded.
"""

import asyncio
import random
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion

from bench.client import Target
from bench.load import Measurement, Window, _process_cpu_seconds
from bench.servers import Unavailable, free_port
from connectors.mqtt.connection import MqttConnection, MqttOptions
from connectors.simulate import TOKYO, payload, sensors

IN_FLIGHT = 500


class Mosquitto:
    """A Mosquitto of the run's own on a free loopback port (queues unbounded, no persistence)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("mosquitto")
        if binary is None:
            raise Unavailable("mosquitto is not installed (apt-get install mosquitto)")
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 0\nmax_inflight_messages 0\n"
        )
        self._log = (workdir / "mosquitto.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "-c", str(config)], stdout=self._log, stderr=self._log
        )

    async def ready(self) -> None:
        deadline = time.monotonic() + 10
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise Unavailable("mosquitto did not start") from None
                await asyncio.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.close()


def _connection(url: str, name: str, *, manual_ack: bool = False) -> MqttConnection:
    client_id = f"bench-{name}-{uuid.uuid4().hex[:8]}"
    return MqttConnection(MqttOptions.from_url(url, client_id=client_id, manual_ack=manual_ack))


async def _publish_until(
    connection: MqttConnection,
    next_message: Callable[[int], tuple[str, bytes]],
    stop: asyncio.Event,
    behind: Callable[[int], bool],
) -> None:
    """Publish QoS 1 back to back (IN_FLIGHT awaiting PUBACK) until `stop`; pause while
    behind(sent) says the receiving end is too far behind."""
    limit = asyncio.Semaphore(IN_FLIGHT)
    tasks: set[asyncio.Task[None]] = set()

    async def send(topic: str, body: bytes) -> None:
        try:
            await connection.publish(topic, body, qos=1)
        finally:
            limit.release()

    n = 0
    while not stop.is_set():
        if behind(n):
            await asyncio.sleep(0.01)
            continue
        await limit.acquire()
        topic, body = next_message(n)
        task = asyncio.create_task(send(topic, body))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
    await asyncio.gather(*tasks, return_exceptions=True)


async def _window(
    window: Window, count: Callable[[], Awaitable[int]], server_pid: int | None
) -> Measurement:
    """Sample `count` and CPU at both ends of the window; the items are the difference."""
    await asyncio.sleep(window.warmup)
    begin = (await count(), time.process_time(), _process_cpu_seconds(server_pid))
    began = time.perf_counter()
    await asyncio.sleep(window.duration)
    end = (await count(), time.process_time(), _process_cpu_seconds(server_pid))
    duration = time.perf_counter() - began
    server = (end[2] - begin[2]) / duration if begin[2] is not None and end[2] is not None else None
    return Measurement(
        completed=end[0] - begin[0],
        items=end[0] - begin[0],
        duration=duration,
        errors=0,
        first_error=None,
        p50_ms=None,
        p99_ms=None,
        client_cpu=(end[1] - begin[1]) / duration,
        server_cpu=server,
    )


def _paho(url: str, name: str) -> paho.Client:
    options = MqttOptions.from_url(url)
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-{name}-{uuid.uuid4().hex[:8]}",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.max_inflight_messages_set(IN_FLIGHT)
    client.max_queued_messages_set(IN_FLIGHT)
    client.connect(options.host, options.port)
    return client


def _publish_flat_out(client: paho.Client, topic: str, body: bytes, stop: threading.Event) -> None:
    while not stop.is_set():
        if client.publish(topic, body, qos=1).rc == MQTTErrorCode.MQTT_ERR_QUEUE_SIZE:
            time.sleep(0.0005)  # paho's queue is full: the broker is the limit


@dataclass(frozen=True)
class RawMqttLoad:
    """paho publish → paho subscribe through the broker, QoS 1 both ways, nothing else: each
    client's network loop in its thread, as Renkei's own."""

    url: str
    window: Window

    async def run(self) -> Measurement:
        topic = f"/bench-raw-{uuid.uuid4().hex[:8]}/sensor/attrs"
        body = payload(sensors(1)[0], datetime.now(TOKYO), random.Random(3), first=False)
        received = [0]
        subscribed = threading.Event()
        subscriber = _paho(self.url, "sub")
        subscriber.on_message = lambda _c, _u, _m: received.__setitem__(0, received[0] + 1)
        subscriber.on_subscribe = lambda *_: subscribed.set()
        subscriber.subscribe(topic, qos=1)
        subscriber.loop_start()
        publisher = _paho(self.url, "pub")
        publisher.loop_start()
        stop = threading.Event()

        async def count() -> int:
            return received[0]

        try:
            await asyncio.to_thread(subscribed.wait, 10)
            sending = asyncio.create_task(
                asyncio.to_thread(_publish_flat_out, publisher, topic, body, stop)
            )
            try:
                return await _window(self.window, count, None)
            finally:
                stop.set()
                await sending
        finally:
            for client in (publisher, subscriber):
                client.disconnect()
                client.loop_stop()


@dataclass(frozen=True)
class IngestLoad:
    """People-flow measures of `sensors` devices to Renkei; counted once committed."""

    url: str
    target: Target
    apikey: str
    sensors: int
    window: Window
    server_pid: int | None = None
    max_backlog: int = 20_000

    async def run(self) -> Measurement:
        fleet = sensors(self.sensors)
        chance = random.Random(5)
        acknowledged = [0]
        stop = asyncio.Event()

        def next_message(n: int) -> tuple[str, bytes]:
            sensor = fleet[n % len(fleet)]
            body = payload(sensor, datetime.now(TOKYO), chance, first=n < len(fleet))
            return f"/{self.apikey}/{sensor.device_id}/attrs", body

        async with (
            httpx.AsyncClient(
                base_url=self.target.base_url, headers=self.target.header_dict()
            ) as http,
            _connection(self.url, "devices") as publisher,
        ):

            async def count() -> int:
                response = await http.get("/iot/services", params={"limit": 1000})
                response.raise_for_status()
                groups = response.json()["services"]
                acknowledged[0] = sum(
                    g["stats"]["acknowledged"] for g in groups if g["apikey"] == self.apikey
                )
                return acknowledged[0]

            async def follow() -> None:
                while not stop.is_set():
                    await count()
                    await asyncio.sleep(0.2)

            following = asyncio.create_task(follow())
            sending = asyncio.create_task(
                _publish_until(
                    publisher, next_message, stop, lambda n: n - acknowledged[0] > self.max_backlog
                )
            )
            try:
                return await _window(self.window, count, self.server_pid)
            finally:
                stop.set()
                await asyncio.gather(sending, following)
