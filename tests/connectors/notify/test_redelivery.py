"""A crash between receiving a QoS 1 message and committing its batch loses nothing: the
message was not acknowledged, and the broker redelivers it to the next session."""

from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.app import create_app
from broker.core.journal import journal
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
from tests.mqtt import eventually, own_mosquitto, unique


def _store_down_for(entity_id: str) -> Any:
    """A commit hook failing every unit of work that writes `entity_id`, as a lost store."""

    async def hook(session: AsyncSession) -> None:
        if entity_id in journal(session).entity_ids:
            raise sa_exc.OperationalError("COMMIT", {}, ConnectionError("store unreachable"))

    return hook


def _app(database_url: str, client_id: str, url: str) -> FastAPI:
    return create_app(
        make_settings(database_url),
        auth=make_auth(),
        connectors=mqtt_settings(mqtt_client_id=client_id, mqtt_url=url),
    )


async def test_batch_that_never_committed_is_redelivered_and_stored_once(
    iot: httpx.AsyncClient, database_url: str
) -> None:
    with own_mosquitto() as broker:  # out of reach of the session's MQTT app
        await _crash_and_recover(iot, database_url, broker.url)


async def _crash_and_recover(iot: httpx.AsyncClient, database_url: str, url: str) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    client_id = unique("renkei-crash")
    first = _app(database_url, client_id, url)
    async with LifespanManager(first):
        first.state.db.commit_hooks.append(_store_down_for(device["entity_name"]))
        stats = first.state.iot.stats
        async with device_connection(url) as sensor:
            topic = f"/{apikey}/{device['device_id']}/attrs"
            await publish(sensor, topic, {"peopleCount": 77})

        async def failed_to_commit() -> bool:
            return stats.totals["failedBatches"] >= 1

        await eventually(failed_to_commit)
        assert stats.group("yokohama", apikey)["acknowledged"] == 0
    # the process is gone without having acknowledged the message
    missing = await iot.get(f"/ngsi-ld/v1/entities/{device['entity_name']}")
    assert missing.status_code == 404
    second = _app(database_url, client_id, url)
    async with LifespanManager(second):
        entity = await entity_with(iot, device["entity_name"], "peopleCount")
        assert value(entity, "peopleCount") == 77

        async def acknowledged() -> bool:
            return second.state.iot.stats.group("yokohama", apikey)["acknowledged"] == 1

        await eventually(acknowledged)
    device_now = (await iot.get(f"/iot/devices/{device['device_id']}")).json()
    assert device_now["lastSeen"] is not None
