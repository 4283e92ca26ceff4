"""One long-lived MQTT connection per process: paho-mqtt's network loop in its own thread,
everything else on the asyncio event loop.

    connection = MqttConnection(MqttOptions.from_url("mqtt://127.0.0.1:1883", client_id="renkei-a"))
    connection.on_message("/+/+/attrs", handle)        # handle(message) runs on the event loop
    async with connection:                             # connects, subscribes, waits for SUBACK
        await connection.publish("/k/d/cmd", b"{}", qos=1)   # returns once the broker has PUBACKed
        connection.ack(message)                        # manual acknowledgement of a QoS 1 message

- paho reconnects by itself (exponential delay); subscriptions are restored on every reconnect.
- Messages are handed to the event loop in arrival order. With ``manual_ack`` (the default) a
  QoS 1 message is acknowledged only when ``ack`` is called, so the broker redelivers it after a
  crash; this needs a persistent session: a stable ``client_id`` and ``clean_start=False``
  (MQTT 3.1.1 clean session off, MQTT 5 session expiry > 0).
- An acknowledgement for a message of an earlier network connection is not sent: the broker
  redelivers such messages on the new connection (packet ids are per connection).
"""

import asyncio
import contextlib
import itertools
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

log = logging.getLogger("renkei.mqtt")

Protocol = Literal["3.1.1", "5"]
_CONNECTIONS = itertools.count(1)  # numbers every network connection of this process


class MqttError(Exception):
    """The broker refused or could not be reached in time."""


@dataclass(frozen=True)
class MqttOptions:
    host: str
    port: int = 1883
    client_id: str = ""
    protocol: Protocol = "5"
    username: str | None = None
    password: str | None = None
    tls: bool = False
    keepalive: int = 30
    clean_start: bool = False
    session_expiry: int = 3600  # MQTT 5: seconds the broker keeps our session after we leave
    receive_maximum: int = 1000  # MQTT 5: unacknowledged QoS 1/2 messages the broker may send us
    manual_ack: bool = True
    connect_timeout: float = 10.0

    @classmethod
    def from_url(cls, url: str, **options: Any) -> "MqttOptions":
        """mqtt://[user[:password]@]host[:port] (mqtts:// for TLS with the system's CAs)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
            raise ValueError(f"not an MQTT URL (mqtt://host:port): {url!r}")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            **options,
        )

    def describe(self) -> str:
        return f"mqtt{'s' if self.tls else ''}://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Message:
    """A message received, as handed to a handler on the event loop."""

    topic: str
    payload: bytes
    qos: int
    mid: int
    retain: bool
    dup: bool
    received_at: float  # time.time() when the network thread read it
    generation: int = field(repr=False)  # which network connection it arrived on


Handler = Callable[[Message], None]


def filter_of(subscription: str) -> str:
    """The topic filter of a subscription, without a `$share/<group>/` prefix."""
    if subscription.startswith("$share/"):
        return subscription.split("/", 2)[2]
    return subscription


class MqttConnection:
    """A paho client owned by one event loop; see the module docstring."""

    def __init__(self, options: MqttOptions) -> None:
        self.options = options
        self._handlers: dict[str, tuple[int, Handler]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self._pending: dict[int, asyncio.Future[None]] = {}  # publish and subscribe mids
        self._done_early: dict[int, ReasonCode | None] = {}
        self._on_connect_mids: set[int] = set()  # the subscriptions each connection makes
        self._connected = asyncio.Event()  # connected, and its subscriptions acknowledged
        self._client = self._make_client()
        self._started = False

    # -- set-up ------------------------------------------------------------------------

    def _make_client(self) -> paho.Client:
        o = self.options
        v5 = o.protocol == "5"
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=o.client_id,
            clean_session=None if v5 else o.clean_start,
            protocol=MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311,
            manual_ack=o.manual_ack,
        )
        if o.username is not None:
            client.username_pw_set(o.username, o.password)
        if o.tls:
            client.tls_set_context(ssl.create_default_context())
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_done
        client.on_subscribe = self._on_subscribed
        return client

    def _connect_properties(self) -> Properties | None:
        if self.options.protocol != "5":
            return None
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.options.session_expiry
        properties.ReceiveMaximum = max(1, min(self.options.receive_maximum, 65535))
        return properties

    def on_message(self, subscription: str, handler: Handler, *, qos: int = 1) -> None:
        """Route messages matching `subscription` (may be `$share/<group>/<filter>`) to
        `handler`; subscribed at start and on every reconnect. Call before `start`, or use
        `subscribe` afterwards."""
        self._handlers[subscription] = (qos, handler)

    async def subscribe(self, subscription: str, handler: Handler, *, qos: int = 1) -> None:
        """Add a subscription while running; returns once the broker has acknowledged it."""
        self.on_message(subscription, handler, qos=qos)
        if self._connected.is_set():
            await self._send_subscribe([subscription])

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, seconds: float) -> bool:
        """Wait up to `seconds` for the connection; returns whether it is connected."""
        try:
            await asyncio.wait_for(self._connected.wait(), seconds)
        except TimeoutError:
            return False
        return True

    # -- life cycle --------------------------------------------------------------------

    async def start(self, *, wait: bool = True) -> bool:
        """Start the network thread and connect; with `wait`, wait up to connect_timeout for
        the broker and the subscriptions. Returns whether it is connected (it keeps trying)."""
        self._loop = asyncio.get_running_loop()
        o = self.options
        self._client.connect_async(
            o.host,
            o.port,
            keepalive=o.keepalive,
            clean_start=o.clean_start,
            properties=self._connect_properties(),
        )
        self._client.loop_start()
        self._started = True
        if not wait:
            return False
        try:
            await asyncio.wait_for(self._connected.wait(), o.connect_timeout)
        except TimeoutError:
            log.error("no answer from the MQTT broker at %s yet; still trying", o.describe())
            return False
        return True

    async def stop(self) -> None:
        """Disconnect (the broker keeps a persistent session) and end the network thread."""
        if not self._started:
            return
        self._started = False
        self._client.disconnect()
        await asyncio.to_thread(self._client.loop_stop)
        self._connected.clear()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(MqttError("connection closed"))
        self._pending.clear()

    async def __aenter__(self) -> "MqttConnection":
        if not await self.start():
            await self.stop()
            raise MqttError(f"could not connect to the MQTT broker at {self.options.describe()}")
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    # -- sending -----------------------------------------------------------------------

    async def publish(
        self,
        topic: str,
        payload: bytes | str,
        *,
        qos: int = 1,
        retain: bool = False,
    ) -> None:
        """Publish; returns once the broker acknowledged it (QoS 1/2) or it was sent (QoS 0).
        While disconnected, QoS 1/2 messages wait in paho's queue and go out on reconnect
        (wrap the call in `asyncio.timeout` to bound the wait)."""
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN) or (
            info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN and qos == 0
        ):
            raise MqttError(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        await self._acknowledged(info.mid)

    async def _send_subscribe(self, subscriptions: list[str]) -> None:
        if not subscriptions:
            return
        topics = [(s, self._handlers[s][0]) for s in subscriptions]
        result, mid = self._client.subscribe(topics)
        if result != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            raise MqttError(f"subscribe failed: {paho.error_string(result)}")
        await self._acknowledged(mid)

    def _acknowledged(self, mid: int) -> "asyncio.Future[None]":
        """A future resolved when the packet `mid` is acknowledged (it may already be)."""
        assert self._loop is not None
        future = self._loop.create_future()
        with self._lock:
            early = mid in self._done_early
            reason = self._done_early.pop(mid, None)
            if not early:
                self._pending[mid] = future
        if early:
            self._settle(future, reason)
        return future

    @staticmethod
    def _settle(future: "asyncio.Future[None]", reason: ReasonCode | None) -> None:
        if future.done():
            return
        if reason is not None and reason.is_failure:
            future.set_exception(MqttError(f"refused by the broker: {reason}"))
        else:
            future.set_result(None)

    # -- receiving ---------------------------------------------------------------------

    def ack(self, message: Message) -> bool:
        """Acknowledge a QoS 1/2 message (manual_ack). False if its connection is gone (the
        broker will deliver it again)."""
        if message.qos == 0 or not self.options.manual_ack:
            return True
        with self._lock:
            if message.generation != self._generation:
                return False
            return self._client.ack(message.mid, message.qos) == MQTTErrorCode.MQTT_ERR_SUCCESS

    def _dispatch(self, message: Message) -> None:
        for subscription, (_, handler) in self._handlers.items():
            if paho.topic_matches_sub(filter_of(subscription), message.topic):
                try:
                    handler(message)
                except Exception:
                    log.exception("MQTT handler failed for a message on %s", message.topic)
                return
        self.ack(message)  # nobody wants it: do not leave it in flight

    # -- paho callbacks (network thread) -----------------------------------------------

    def _call(self, callback: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(callback, *args)

    def _on_connect(self, client: paho.Client, _u: Any, flags: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("MQTT broker at %s refused us: %s", self.options.describe(), reason)
            return
        with self._lock:
            self._generation = next(_CONNECTIONS)
        log.info(
            "connected to the MQTT broker at %s (session present: %s)",
            self.options.describe(),
            flags.session_present,
        )
        if not self._handlers:
            self._call(self._connected.set)
            return
        _, mid = client.subscribe([(s, q) for s, (q, _) in self._handlers.items()])
        if mid is not None:
            with self._lock:
                self._on_connect_mids.add(mid)

    def _on_disconnect(self, _c: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if self._started:
            log.warning("MQTT connection to %s lost (%s)", self.options.describe(), reason)
        self._call(self._connected.clear)

    def _on_message(self, _c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        self._call(
            self._dispatch,
            Message(
                topic=message.topic,
                payload=bytes(message.payload),
                qos=message.qos,
                mid=message.mid,
                retain=message.retain,
                dup=bool(message.dup),
                received_at=time.time(),
                generation=self._generation,
            ),
        )

    def _on_done(self, _c: paho.Client, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        with self._lock:
            if mid in self._on_connect_mids:
                self._on_connect_mids.discard(mid)
                if reason is not None and reason.is_failure:
                    log.error("the MQTT broker refused our subscriptions: %s", reason)
                else:
                    self._call(self._connected.set)
                return
            future = self._pending.pop(mid, None)
            if future is None:
                self._done_early[mid] = reason
        if future is not None:
            self._call(self._settle, future, reason)

    def _on_subscribed(self, _c: paho.Client, _u: Any, mid: int, reasons: Any, _p: Any) -> None:
        failed = next((r for r in reasons if r.is_failure), None)
        self._on_done(_c, _u, mid, failed, _p)
