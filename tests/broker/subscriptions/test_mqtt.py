"""MQTT notifications through the real Mosquitto: topic from the endpoint, QoS from notifierInfo."""

import asyncio
from typing import Any

import httpx
import orjson

from broker.subscriptions.delivery_service import Delivery
from broker.subscriptions.schemas import Endpoint
from connectors.mqtt.connection import Message, MqttConnection, MqttOptions
from connectors.notify.mqtt import MqttPool
from tests.broker.subscriptions.helpers import SENSOR_ID, create_entity, set_count, subscribe
from tests.mqtt import eventually, require_mosquitto, unique


async def test_mqtt_endpoint_receives_metadata_and_body_with_the_qos_asked(
    client: httpx.AsyncClient,
) -> None:
    url = require_mosquitto()
    topic = unique("renkei/notify")
    messages: list[Message] = []
    listener = MqttConnection(
        MqttOptions.from_url(url, client_id=unique("listener"), manual_ack=False, clean_start=True)
    )
    listener.on_message(topic, messages.append, qos=1)
    async with listener:
        await create_entity(client)
        await subscribe(
            client,
            f"{url}/{topic}",
            notification={
                "endpoint": {
                    "uri": f"{url}/{topic}",
                    "notifierInfo": [{"key": "MQTT-QoS", "value": "1"}],
                    "receiverInfo": [{"key": "X-Token", "value": "t-1"}],
                }
            },
        )
        await set_count(client, 612)

        async def arrived() -> list[Message] | None:
            return messages or None

        (message,) = await eventually(arrived)
    assert message.qos == 1
    payload: dict[str, Any] = orjson.loads(message.payload)
    assert payload["metadata"]["X-Token"] == "t-1"
    notification = payload["body"]
    assert notification["type"] == "Notification"
    (entity,) = notification["data"]
    assert entity["id"] == SENSOR_ID
    assert entity["peopleCount"]["value"] == 612


async def test_a_broker_connection_unused_for_a_while_is_closed() -> None:
    url = require_mosquitto()
    pool = MqttPool(connect_timeout=5, read_timeout=5, idle_after=0.2)

    def delivery(version: str) -> Delivery:
        endpoint = Endpoint(
            uri=f"{url}/{unique('renkei/idle')}",
            accept="application/json",
            receiver_info=(),
            notifier_info=(("MQTT-Version", version),),
        )
        return Delivery(endpoint=endpoint, headers={}, body={"type": "Notification"})

    try:
        await pool.send(delivery("mqtt5.0"))
        await pool.send(delivery("mqtt5.0"))
        assert len(pool) == 1  # one connection per broker and protocol, reused
        await asyncio.sleep(0.4)
        await pool.send(delivery("mqtt3.1.1"))  # the 5.0 connection idled past the limit
        assert len(pool) == 1
    finally:
        await pool.aclose()
    assert len(pool) == 0
