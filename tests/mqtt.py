"""Real MQTT brokers for tests: the Mosquitto the suite needs, or one of a test's own."""

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from tests.servers import free_port

MOSQUITTO_URL = os.environ.get("RENKEI_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
T = TypeVar("T")


def unique(prefix: str) -> str:
    """A name no other test (or parallel run) uses: topics, api keys, client ids."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def require_mosquitto() -> str:
    parts = urlsplit(MOSQUITTO_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 1883), timeout=2).close()
    except OSError as exc:
        raise RuntimeError(
            f"the MQTT tests need Mosquitto at {MOSQUITTO_URL} ({exc}): start it with "
            "`mosquitto -d -c /etc/mosquitto/mosquitto.conf` or set RENKEI_TEST_MQTT_URL"
        ) from exc
    return MOSQUITTO_URL


class OwnMosquitto:
    """A Mosquitto of a test's own on a free loopback port, which the test may stop and start."""

    def __init__(self, folder: str, extra_config: str) -> None:
        binary = shutil.which("mosquitto")
        if binary is None:
            raise RuntimeError("the MQTT tests need mosquitto (apt-get install mosquitto)")
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.config = Path(folder) / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n{extra_config}\n"
        )
        self.command = [binary, "-c", str(self.config)]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def own_mosquitto(extra_config: str = "") -> Iterator[OwnMosquitto]:
    with tempfile.TemporaryDirectory() as folder:
        broker = OwnMosquitto(folder, extra_config)
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not start on port {port}")


async def eventually(check: Callable[[], Awaitable[T | None]], within: float = 10.0) -> T:
    """Poll `check` until it returns something truthy, or fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within} s: {check}")
        await asyncio.sleep(0.05)
