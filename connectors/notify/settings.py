"""Settings of notification delivery: every value comes from a ``RENKEI_`` environment variable."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifySettings(BaseSettings):
    """The outbox worker (docs/subscriptions.md, docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    notify_enabled: bool = Field(default=True, description="run the outbox worker here")
    notify_batch_size: int = Field(default=100, ge=1, le=10_000)
    notify_max_in_flight: int = Field(default=256, ge=1)
    notify_poll_interval: float = Field(default=0.5, gt=0)
    notify_claim_lease: float = Field(default=60.0, gt=0)
    notify_connect_timeout: float = Field(default=5.0, gt=0)
    notify_read_timeout: float = Field(default=10.0, gt=0)
    notify_max_attempts: int = Field(default=15, ge=1)
    notify_retry_base: float = Field(default=1.0, gt=0)
    notify_retry_max: float = Field(default=300.0, gt=0)
    notify_endpoint_concurrency: int = Field(default=4, ge=1)
    notify_breaker_threshold: int = Field(default=5, ge=1)
    notify_breaker_cooldown: float = Field(default=30.0, gt=0)
    notify_periodic_interval: float = Field(default=1.0, gt=0)


@lru_cache
def get_notify_settings() -> NotifySettings:
    return NotifySettings()
