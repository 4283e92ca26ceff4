"""Graceful shutdown of the MQTT connector: the batch in hand is stored and acknowledged before
the app's lifespan ends."""

import asyncio

import httpx
from asgi_lifespan import LifespanManager

from broker.core.app import create_app
from tests.conftest import make_auth, make_settings
from tests.connectors.conftest import mqtt_settings
from tests.connectors.helpers import add_device, add_group, device_connection, publish, value
from tests.mqtt import own_mosquitto, unique


async def test_shutdown_stores_the_batch_in_hand(iot: httpx.AsyncClient, database_url: str) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    with own_mosquitto() as broker:
        app = create_app(
            make_settings(database_url),
            auth=make_auth(),
            # a batch waits up to a minute for more measures: only shutdown can end it early
            connectors=mqtt_settings(
                mqtt_url=broker.url, mqtt_client_id=unique("renkei-drain"), iot_batch_interval=60
            ),
        )
        async with LifespanManager(app):
            stats = app.state.iot.stats
            async with device_connection(broker.url) as sensor:
                await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", {"peopleCount": 5})
            await asyncio.sleep(1.0)  # delivered on loopback; the worker holds it in its batch
            stored_before = await iot.get(f"/ngsi-ld/v1/entities/{device['entity_name']}")
            assert stored_before.status_code == 404
        assert stats.group("yokohama", apikey)["acknowledged"] == 1
    entity = (await iot.get(f"/ngsi-ld/v1/entities/{device['entity_name']}")).json()
    assert value(entity, "peopleCount") == 5
