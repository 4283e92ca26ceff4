"""Settings of the connectors package: every value comes from a ``RENKEI_`` environment variable."""

import socket
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_client_id() -> str:
    return f"renkei-{socket.gethostname()}"[:64]


class ConnectorSettings(BaseSettings):
    """MQTT connection and device ingestion settings (docs/iot.md, docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    mqtt_enabled: bool = Field(default=True, description="run the MQTT device connector")
    mqtt_url: str | None = Field(
        default=None,
        description="mqtt://[user:password@]host:port of the broker; unset: the local one",
    )
    mqtt_port: int = Field(
        default=1883, ge=1, le=65535, description="port of the local broker when mqtt_url unset"
    )
    mqtt_protocol: Literal["3.1.1", "5"] = "5"
    mqtt_client_id: str = Field(default_factory=_default_client_id, min_length=1, max_length=64)
    mqtt_shared_group: str | None = Field(
        default=None, description="subscribe as $share/<group>/... so replicas split the traffic"
    )
    mqtt_keepalive: int = Field(default=30, ge=5)
    mqtt_session_expiry: int = Field(
        default=3600, ge=0, description="seconds the broker keeps unacknowledged messages for us"
    )
    mqtt_connect_timeout: float = Field(default=10.0, gt=0)
    iot_batch_size: int = Field(default=500, ge=1, le=30_000)
    iot_batch_interval: float = Field(default=0.05, gt=0, description="seconds a batch may wait")
    iot_stale_after: float = Field(
        default=3600.0, gt=0, description="seconds without a measure after which a device is stale"
    )
    iot_cache_ttl: float = Field(
        default=5.0, ge=0, description="seconds other replicas' provisioning changes take to apply"
    )


@lru_cache
def get_connector_settings() -> ConnectorSettings:
    return ConnectorSettings()
