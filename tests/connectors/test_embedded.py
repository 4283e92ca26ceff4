"""Without RENKEI_MQTT_URL: the broker already on the local port, else amqtt in-process."""

import logging
import sys

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from starlette.applications import Starlette

from broker.core.app import create_app
from connectors.embedded import BrokerUnavailable, mqtt_broker, probe
from connectors.settings import ConnectorSettings
from tests.conftest import make_auth, make_settings
from tests.connectors.conftest import mqtt_settings
from tests.connectors.helpers import (
    add_device,
    add_group,
    device_connection,
    entity_with,
    publish,
    value,
)
from tests.mqtt import own_mosquitto
from tests.servers import free_port, serve


async def test_without_a_broker_one_is_started_in_process_and_devices_connect(
    iot: httpx.AsyncClient, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    caplog.set_level(logging.INFO, logger="renkei.mqtt")
    application: FastAPI = create_app(
        make_settings(database_url),
        auth=make_auth(),
        connectors=mqtt_settings(mqtt_url=None, mqtt_port=port),
    )
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    async with LifespanManager(application):
        assert await probe("127.0.0.1", port) is True
        # amqtt speaks MQTT 3.1.1, as most deployed devices do
        async with device_connection(f"mqtt://127.0.0.1:{port}", "3.1.1") as sensor:
            await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", {"peopleCount": 5})
            entity = await entity_with(iot, device["entity_name"], "peopleCount")
    assert value(entity, "peopleCount") == 5
    assert any("embedded MQTT broker (amqtt" in r.getMessage() for r in caplog.records)
    assert await probe("127.0.0.1", port) is None  # stopped with the app


async def test_a_broker_already_on_the_port_is_used_and_named_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="renkei.mqtt")
    with own_mosquitto() as broker:
        settings = ConnectorSettings(mqtt_url=None, mqtt_port=broker.port)
        async with mqtt_broker(settings) as choice:
            assert (choice.url, choice.protocol, choice.embedded) == (broker.url, "5", False)
    assert any("already listens" in r.getMessage() for r in caplog.records)


async def test_a_port_taken_by_something_else_is_an_error_naming_the_setting() -> None:
    with serve(Starlette()) as url:
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(BrokerUnavailable, match="RENKEI_MQTT_PORT"):
            async with mqtt_broker(ConnectorSettings(mqtt_url=None, mqtt_port=port)):
                pass


async def test_without_the_embedded_extra_the_error_names_it_and_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Production images install no amqtt (the `embedded` extra is for `make run`)."""
    monkeypatch.setitem(sys.modules, "amqtt.broker", None)
    port = free_port()
    with pytest.raises(BrokerUnavailable, match=r"renkei\[embedded\].*RENKEI_MQTT_URL"):
        async with mqtt_broker(mqtt_settings(mqtt_url=None, mqtt_port=port)):
            pass
