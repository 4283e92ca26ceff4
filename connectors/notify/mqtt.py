"""MQTT notification delivery through one long-lived connection per broker (a small pool).

`mqtt://[user:password@]host:port/topic` (mqtts:// for TLS); the QoS comes from the endpoint's
notifierInfo `MQTT-QoS` (default 0), the protocol from `MQTT-Version` (mqtt5.0, the default, or
mqtt3.1.1). The message is {"metadata": {headers}, "body": notification}.
"""

import asyncio
import time
import uuid
from urllib.parse import unquote, urlsplit

import orjson

from broker.subscriptions.delivery_service import Delivery
from connectors.mqtt.connection import MqttConnection, MqttError, MqttOptions, Protocol
from connectors.notify.http import DeliveryFailed


def _protocol(delivery: Delivery) -> Protocol:
    version = dict(delivery.endpoint.notifier_info).get("MQTT-Version", "mqtt5.0")
    return "3.1.1" if version == "mqtt3.1.1" else "5"


IDLE_AFTER = 300.0  # seconds without a notification after which a broker's connection closes


class MqttPool:
    """A connection per broker (and protocol) that notifications go to; one that has carried
    none for `idle_after` seconds is closed (its subscriptions may be gone), so the pool holds
    only the brokers in use."""

    def __init__(
        self, *, connect_timeout: float, read_timeout: float, idle_after: float = IDLE_AFTER
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.idle_after = idle_after
        self._connections: dict[str, MqttConnection] = {}
        self._used: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._connections)

    async def _close_idle(self, now: float) -> None:
        idle = [k for k, used in self._used.items() if now - used > self.idle_after]
        for key in idle:
            del self._used[key]
            await self._connections.pop(key).stop()

    async def _connection(self, delivery: Delivery) -> MqttConnection:
        parts = urlsplit(delivery.endpoint.uri)
        protocol = _protocol(delivery)
        key = f"{parts.scheme}://{parts.netloc}#{protocol}"
        async with self._lock:
            now = time.monotonic()
            self._used[key] = now
            await self._close_idle(now)
            connection = self._connections.get(key)
            if connection is None:
                options = MqttOptions.from_url(
                    f"{parts.scheme}://{parts.netloc}",
                    client_id=f"renkei-notify-{uuid.uuid4().hex[:12]}",
                    protocol=protocol,
                    clean_start=True,
                    session_expiry=0,
                    manual_ack=False,
                    connect_timeout=self.connect_timeout,
                )
                connection = MqttConnection(options)
                self._connections[key] = connection
                await connection.start(wait=False)
        # Waited for outside the lock: a broker that is down delays only its own notifications.
        await connection.wait_connected(self.connect_timeout)
        return connection

    async def send(self, delivery: Delivery) -> None:
        topic = unquote(urlsplit(delivery.endpoint.uri).path[1:])
        payload = orjson.dumps({"metadata": delivery.headers, "body": delivery.body})
        connection = await self._connection(delivery)
        if not connection.connected:
            raise DeliveryFailed(f"MQTT broker {connection.options.describe()} not connected")
        try:
            async with asyncio.timeout(self.read_timeout):
                await connection.publish(topic, payload, qos=delivery.endpoint.qos)
        except (MqttError, TimeoutError) as exc:
            raise DeliveryFailed(f"MQTT publish to {topic} failed: {exc!r}") from exc

    async def aclose(self) -> None:
        connections, self._connections = list(self._connections.values()), {}
        self._used.clear()
        for connection in connections:
            await connection.stop()
