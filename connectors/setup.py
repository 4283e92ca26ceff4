"""Wiring of the connectors package into the app: the IoT components on app.state.iot, and
(RENKEI_MQTT_ENABLED) the MQTT connection with its ingestion worker."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from broker.core.db import Database
from broker.core.packages import Core, Package
from broker.jsonld.context import ContextResolver
from connectors.embedded import mqtt_broker
from connectors.iot.dependencies import IotComponents
from connectors.iot.directory import GroupDirectory
from connectors.iot.ingestion import Ingestion
from connectors.iot.router import router as iot_router
from connectors.iot.stats import IngestionStats
from connectors.mqtt.connection import MqttConnection, MqttOptions
from connectors.mqtt.slots import claim_slot
from connectors.mqtt.worker import MqttIngestor
from connectors.settings import ConnectorSettings

log = logging.getLogger("renkei.mqtt")


def include_routers(app: FastAPI) -> None:
    app.include_router(iot_router)


@asynccontextmanager
async def connector_components(
    app: FastAPI,
    *,
    db: Database,
    contexts: ContextResolver,
    settings: ConnectorSettings,
) -> AsyncIterator[None]:
    """On exit the worker first stores and acknowledges the batch in hand, then disconnects."""
    stats = IngestionStats()
    directory = GroupDirectory(db, ttl=settings.iot_cache_ttl)
    context = await contexts.resolve(None)
    iot = IotComponents(
        directory=directory,
        stats=stats,
        ingestion=Ingestion(db, stats, context),
        context=context,
        stale_after=settings.iot_stale_after,
    )
    app.state.iot = iot
    metrics = getattr(app.state, "metrics", None)
    if metrics is not None:
        metrics.add_source("iot", stats.metric_families)
    if not settings.mqtt_enabled:
        yield
        return
    async with AsyncExitStack() as stack:
        broker = await stack.enter_async_context(mqtt_broker(settings))
        shared = settings.mqtt_shared_group
        if shared and not broker.shared_subscriptions:
            log.warning("the embedded broker has no shared subscriptions; ignoring the group")
            shared = None
        slot = await asyncio.to_thread(claim_slot, settings.mqtt_client_id)
        stack.callback(slot.release)
        connection = MqttConnection(
            MqttOptions.from_url(
                broker.url,
                client_id=slot.client_id,
                protocol=broker.protocol,
                keepalive=settings.mqtt_keepalive,
                session_expiry=settings.mqtt_session_expiry,
                receive_maximum=max(2 * settings.iot_batch_size, 100),
                connect_timeout=settings.mqtt_connect_timeout,
            )
        )
        ingestor = MqttIngestor(
            connection,
            iot.ingestion,
            directory,
            stats,
            batch_size=settings.iot_batch_size,
            batch_interval=settings.iot_batch_interval,
            shared_group=shared,
        )
        ingestor.start()
        stack.push_async_callback(connection.stop)
        stack.push_async_callback(ingestor.stop)
        if await connection.start():
            log.info("MQTT ingestion subscribed at %s as %s", broker.url, slot.client_id)
        iot.connection = connection
        yield


def connectors_package(settings: ConnectorSettings) -> Package:
    def start(app: FastAPI, core: Core) -> AbstractAsyncContextManager[None]:
        return connector_components(
            app,
            db=core.db,
            contexts=core.contexts,
            settings=settings,
        )

    return Package("connectors", include_routers=include_routers, start=start)
