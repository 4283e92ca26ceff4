"""Helpers of the connector tests: provisioning, devices that publish, entities to poll."""

from typing import Any

import httpx
import orjson

from connectors.mqtt.connection import MqttConnection, MqttOptions, Protocol
from tests.mqtt import eventually, require_mosquitto, unique


async def add_group(http: httpx.AsyncClient, **fields: Any) -> str:
    """A new service group; returns its API key."""
    group = {"apikey": unique("key"), "entity_type": "CrowdFlowObserved"} | fields
    response = await http.post("/iot/services", json={"services": [group]})
    assert response.status_code == 201, response.text
    return str(group["apikey"])


async def add_device(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    device = {"device_id": unique("dev")} | fields
    response = await http.post("/iot/devices", json={"devices": [device]})
    assert response.status_code == 201, response.text
    found = await http.get(f"/iot/devices/{device['device_id']}")
    assert found.status_code == 200, found.text
    return dict(found.json())


def device_connection(url: str | None = None, protocol: Protocol = "5") -> MqttConnection:
    """A device's own MQTT client (QoS 1, acknowledged by paho)."""
    return MqttConnection(
        MqttOptions.from_url(
            url or require_mosquitto(),
            client_id=unique("device"),
            manual_ack=False,
            protocol=protocol,
        )
    )


async def publish(device: MqttConnection, topic: str, payload: Any) -> None:
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    await device.publish(topic, body, qos=1)


async def entity_with(
    http: httpx.AsyncClient, entity_id: str, *attributes: str, within: float = 10.0
) -> dict[str, Any]:
    """The entity, once it has all `attributes`."""

    async def check() -> dict[str, Any] | None:
        response = await http.get(f"/ngsi-ld/v1/entities/{entity_id}")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if all(a in body for a in attributes) else None

    return await eventually(check, within)


def value(entity: dict[str, Any], attribute: str) -> Any:
    return entity[attribute]["value"]
