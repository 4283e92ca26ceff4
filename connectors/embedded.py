"""The MQTT broker Renkei uses when RENKEI_MQTT_URL is unset: whatever already speaks MQTT on
127.0.0.1:RENKEI_MQTT_PORT (Mosquitto on a developer's machine), else one started in-process
with amqtt, so devices can connect at once after `make run`."""

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from connectors.mqtt.connection import Protocol
from connectors.settings import ConnectorSettings

log = logging.getLogger("renkei.mqtt")
LOCAL_HOST = "127.0.0.1"


class BrokerUnavailable(Exception):
    """No usable MQTT broker; the message names the setting to change."""


@dataclass(frozen=True)
class BrokerChoice:
    url: str
    protocol: Protocol
    shared_subscriptions: bool
    embedded: bool = False


def _connect_packet(level: int) -> bytes:
    client_id = f"renkei-probe-{os.getpid()}".encode()
    variable = b"\x00\x04MQTT" + bytes([level, 0x02, 0x00, 0x0A])  # clean session, 10 s
    if level == 5:
        variable += b"\x00"  # no properties
    body = variable + len(client_id).to_bytes(2, "big") + client_id
    return bytes([0x10, len(body)]) + body


async def probe(host: str, port: int, *, level: int = 4, wait: float = 2.0) -> bool | None:
    """None if nothing listens at host:port; whether it accepted an MQTT CONNECT of `level`
    (4 = MQTT 3.1.1, 5 = MQTT 5) otherwise."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), wait)
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(_connect_packet(level))
        await writer.drain()
        header = await asyncio.wait_for(reader.readexactly(2), wait)
        rest = await asyncio.wait_for(reader.readexactly(header[1]), wait)
        accepted = header[0] == 0x20 and len(rest) >= 2 and rest[1] == 0
        if accepted:
            writer.write(b"\xe0\x00")  # DISCONNECT
            await writer.drain()
        return accepted
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _existing(port: int, wanted: Protocol) -> BrokerChoice | None:
    found = await probe(LOCAL_HOST, port)
    if found is None:
        return None
    if not found:
        raise BrokerUnavailable(
            f"{LOCAL_HOST}:{port} is taken by something that does not speak MQTT: set "
            "RENKEI_MQTT_PORT to a free port, or RENKEI_MQTT_URL to your MQTT broker"
        )
    protocol: Protocol = "3.1.1"
    if wanted == "5" and await probe(LOCAL_HOST, port, level=5):
        protocol = "5"
    return BrokerChoice(f"mqtt://{LOCAL_HOST}:{port}", protocol, shared_subscriptions=True)


@asynccontextmanager
async def _amqtt(port: int) -> AsyncIterator[BrokerChoice]:
    try:
        from amqtt.broker import Broker
    except ImportError as exc:
        raise BrokerUnavailable(
            f"no MQTT broker listens on {LOCAL_HOST}:{port} and the embedded one is not "
            "installed (pip install 'renkei[embedded]'): set RENKEI_MQTT_URL to your MQTT broker"
        ) from exc

    for name in ("amqtt", "transitions"):
        logging.getLogger(name).setLevel(logging.WARNING)
    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"{LOCAL_HOST}:{port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
    )
    try:
        await broker.start()
    except Exception as exc:
        raise BrokerUnavailable(
            f"could not start the embedded MQTT broker on {LOCAL_HOST}:{port} ({exc}): set "
            "RENKEI_MQTT_PORT to a free port, or RENKEI_MQTT_URL to your MQTT broker"
        ) from exc
    log.info(
        "started the embedded MQTT broker (amqtt, MQTT 3.1.1) on %s:%d; devices can connect",
        LOCAL_HOST,
        port,
    )
    try:
        # amqtt speaks MQTT 3.1.1 only and has no shared subscriptions
        yield BrokerChoice(f"mqtt://{LOCAL_HOST}:{port}", "3.1.1", False, embedded=True)
    finally:
        await broker.shutdown()


@asynccontextmanager
async def mqtt_broker(settings: ConnectorSettings) -> AsyncIterator[BrokerChoice]:
    """The broker to connect to: RENKEI_MQTT_URL's, a local one that already runs, or amqtt."""
    if settings.mqtt_url:
        yield BrokerChoice(settings.mqtt_url, settings.mqtt_protocol, shared_subscriptions=True)
        return
    existing = await _existing(settings.mqtt_port, settings.mqtt_protocol)
    if existing is not None:
        log.info(
            "an MQTT broker already listens on %s:%d (MQTT %s); Renkei uses it "
            "(RENKEI_MQTT_URL chooses another)",
            LOCAL_HOST,
            settings.mqtt_port,
            existing.protocol,
        )
        yield existing
        return
    async with _amqtt(settings.mqtt_port) as embedded:
        yield embedded
