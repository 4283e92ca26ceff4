"""MQTT notifications through the real Mosquitto: topic from the endpoint, QoS from notifierInfo."""

from typing import Any

import httpx
import orjson

from connectors.mqtt.connection import Message, MqttConnection, MqttOptions
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
