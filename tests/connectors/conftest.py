"""An app with the MQTT connector on, connected to the real Mosquitto, on each store."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from broker.core.app import create_app
from connectors.settings import ConnectorSettings
from tests.conftest import make_auth, make_settings, reset_store
from tests.mqtt import require_mosquitto, unique


def mqtt_settings(**overrides: object) -> ConnectorSettings:
    values: dict[str, object] = {
        "mqtt_enabled": True,
        "mqtt_url": require_mosquitto(),
        "mqtt_client_id": unique("renkei-test"),
        "iot_batch_interval": 0.02,
        "iot_cache_ttl": 0.5,
        "mqtt_connect_timeout": 5.0,
    }
    return ConnectorSettings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def mqtt_app(app: FastAPI, database_url: str) -> AsyncIterator[FastAPI]:
    """A second app on the session's store (its tenants and clients), ingesting from MQTT."""
    application = create_app(
        make_settings(database_url), auth=make_auth(), connectors=mqtt_settings()
    )
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def iot(mqtt_app: FastAPI, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """An admin HTTP client of the MQTT app, acting in tenant yokohama."""
    transport = httpx.ASGITransport(app=mqtt_app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://renkei.test",
        headers={
            "Authorization": f"Bearer {admin_token}",
            "Fiware-Service": "yokohama",
            "NGSILD-Tenant": "yokohama",
        },
    ) as http:
        yield http
    await reset_store(mqtt_app)
