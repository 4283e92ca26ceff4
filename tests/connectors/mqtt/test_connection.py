"""The reusable paho wrapper, against real Mosquitto brokers."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from connectors.mqtt.connection import Message, MqttConnection, MqttError, MqttOptions
from tests.mqtt import eventually, own_mosquitto, require_mosquitto, unique
from tests.servers import free_port

PROTOCOLS = ["3.1.1", "5"]


def options(url: str, **overrides: Any) -> MqttOptions:
    overrides.setdefault("client_id", unique("test-conn"))
    overrides.setdefault("connect_timeout", 5.0)
    return MqttOptions.from_url(url, **overrides)


@asynccontextmanager
async def running(
    url: str, subscription: str | None = None, received: list[Message] | None = None, **kw: Any
) -> AsyncIterator[MqttConnection]:
    connection = MqttConnection(options(url, **kw))
    if subscription is not None and received is not None:
        connection.on_message(subscription, received.append)
    async with connection:
        yield connection


def payloads(messages: list[Message]) -> Callable[[], Any]:
    async def check() -> list[bytes]:
        return [m.payload for m in messages]

    return check


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_published_messages_arrive_in_order_on_the_event_loop(protocol: str) -> None:
    url = require_mosquitto()
    topic = unique("/t") + "/attrs"
    received: list[Message] = []
    async with (
        running(url, topic, received, protocol=protocol),
        running(url, protocol=protocol) as sender,
    ):
        for n in range(20):
            await sender.publish(topic, f"{n}".encode(), qos=1)
        await eventually(lambda: _count(received, 20))
    assert [m.payload for m in received] == [f"{n}".encode() for n in range(20)]
    assert {m.topic for m in received} == {topic}
    assert all(m.qos == 1 for m in received)


async def _count(messages: list[Message], n: int) -> bool:
    return len(messages) >= n


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_unacknowledged_message_is_redelivered_after_reconnect(protocol: str) -> None:
    url = require_mosquitto()
    topic = unique("/t") + "/attrs"
    client_id = unique("test-persistent")
    first: list[Message] = []
    async with (
        running(url, topic, first, client_id=client_id, protocol=protocol),
        running(url, protocol=protocol) as sender,
    ):
        await sender.publish(topic, b"acked", qos=1)
        await eventually(lambda: _count(first, 1))
        await sender.publish(topic, b"not acked", qos=1)
        await eventually(lambda: _count(first, 2))
    # the first connection acknowledged nothing: it acks only the first message in the next one
    again: list[Message] = []
    connection = MqttConnection(options(url, client_id=client_id, protocol=protocol))
    connection.on_message(topic, again.append)
    async with connection:
        await eventually(lambda: _count(again, 2))
        assert [m.payload for m in again] == [b"acked", b"not acked"]
        assert all(m.dup for m in again)
        assert not connection.ack(first[0])  # from the earlier connection: not sent
        assert connection.ack(again[0])
    last: list[Message] = []
    async with running(url, topic, last, client_id=client_id, protocol=protocol):
        await eventually(lambda: _count(last, 1))
        await asyncio.sleep(0.2)
    assert [m.payload for m in last] == [b"not acked"]


async def test_shared_subscription_splits_messages_between_connections() -> None:
    url = require_mosquitto()
    topic = unique("/t") + "/attrs"
    group = unique("g")
    a: list[Message] = []
    b: list[Message] = []
    shared = f"$share/{group}/{topic}"
    async with (
        running(url, shared, a, manual_ack=False),
        running(url, shared, b, manual_ack=False),
        running(url) as sender,
    ):
        for n in range(40):
            await sender.publish(topic, str(n).encode(), qos=1)

        async def all_arrived() -> bool:
            return len(a) + len(b) >= 40

        await eventually(all_arrived)
    got = sorted(int(m.payload) for m in a + b)
    assert got == list(range(40))
    assert a and b


async def test_subscriptions_are_restored_after_the_broker_restarts() -> None:
    received: list[Message] = []
    topic = unique("/t") + "/attrs"
    with own_mosquitto() as broker:
        connection = MqttConnection(options(broker.url, protocol="5", manual_ack=False))
        connection.on_message(topic, received.append)
        async with connection:
            broker.stop()
            await eventually(_not(connection))
            broker.start()
            await eventually(_is(connection))
            async with running(broker.url) as sender:

                async def delivered() -> bool:
                    await sender.publish(topic, b"after restart", qos=1)
                    await asyncio.sleep(0.1)
                    return bool(received)

                await eventually(delivered)
    assert received[0].payload == b"after restart"


def _not(connection: MqttConnection) -> Callable[[], Any]:
    async def check() -> bool:
        return not connection.connected

    return check


def _is(connection: MqttConnection) -> Callable[[], Any]:
    async def check() -> bool:
        return connection.connected

    return check


async def test_unreachable_broker_is_an_error_naming_its_address() -> None:
    port = free_port()
    connection = MqttConnection(options(f"mqtt://127.0.0.1:{port}", connect_timeout=1.0))
    with pytest.raises(MqttError, match=f"127.0.0.1:{port}"):
        async with connection:
            pass


def test_urls_give_host_port_credentials_and_tls() -> None:
    plain = MqttOptions.from_url("mqtt://device:s%40cret@broker.example:1884")
    assert (plain.host, plain.port, plain.username, plain.password, plain.tls) == (
        "broker.example",
        1884,
        "device",
        "s@cret",
        False,
    )
    secure = MqttOptions.from_url("mqtts://broker.example")
    assert (secure.port, secure.tls) == (8883, True)
    with pytest.raises(ValueError, match="MQTT URL"):
        MqttOptions.from_url("http://broker.example")
