"""Settings of the calls to context sources: every value comes from a ``RENKEI_`` variable."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SourcesSettings(BaseSettings):
    """docs/sources.md; a registration's management.timeout/cooldown override these."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    sources_timeout: float = Field(
        default=5.0, gt=0, description="seconds one call to a context source may take"
    )
    sources_concurrency: int = Field(
        default=16, ge=1, description="calls in flight to one source at most"
    )
    sources_breaker_threshold: int = Field(
        default=3, ge=1, description="consecutive failures that open a source's breaker"
    )
    sources_breaker_cooldown: float = Field(
        default=30.0, gt=0, description="seconds an open breaker skips its source"
    )


@lru_cache
def get_sources_settings() -> SourcesSettings:
    return SourcesSettings()
