"""Settings of the broker package: every value comes from a ``RENKEI_`` environment variable."""

import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
    BeforeValidator(lambda value: value.upper() if isinstance(value, str) else value),
]


class BrokerSettings(BaseSettings):
    """Server, storage and JSON-LD settings (see docs/configuration.md for each one)."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; default is a SQLite file in data_dir.",
    )
    db_pool_size: int = Field(default=10, ge=1)
    source_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$",
        description="this broker's Context Source id (a URI) in /info/sourceIdentity; "
        "default: a URN derived from the database URL, the same on every restart and replica",
    )
    source_alias: str = Field(
        default="renkei",
        pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
        description="contextSourceAlias (an RFC 7230 pseudonym); the tenant name is appended",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=1026, ge=1, le=65535)
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="server processes of `renkei serve`; more than 1 needs PostgreSQL and "
        "RENKEI_MQTT_URL (or MQTT off)",
    )
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per line (containers set it)"
    )
    access_log: bool = Field(default=True, description="one renkei.access line per request")
    graceful_timeout: int = Field(
        default=30, ge=0, description="seconds in-flight requests get after SIGTERM"
    )
    metrics_enabled: bool = True
    metrics_token: SecretStr | None = Field(
        default=None,
        description="if set, GET /metrics needs `Authorization: Bearer <token>`; "
        "unset in production: /metrics answers 401",
    )
    metrics_cache_ttl: float = Field(
        default=15.0, ge=0, description="seconds database-backed metrics are reused"
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_json_depth: int = Field(default=32, ge=4, description="deepest nesting of a JSON body")
    max_json_members: int = Field(
        default=10_000,
        ge=10,
        description="most members of one JSON object or array in a body (a batch is an array)",
    )
    context_fetch_timeout: float = Field(default=5.0, gt=0)
    context_max_bytes: int = Field(default=1_048_576, ge=1024)
    context_cache_ttl: float = Field(default=3600.0, ge=0)
    context_cache_size: int = Field(default=256, ge=1)
    query_default_limit: int = Field(default=20, ge=1)
    query_max_limit: int = Field(default=1000, ge=1)
    batch_max_entities: int = Field(default=10_000, ge=1)
    notify_allow_private: bool = Field(
        default=False,
        description="let notifications and @context fetches reach internal addresses",
    )
    notify_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="host names and CIDR networks allowed although internal (JSON list)",
    )
    subscription_failure_threshold: int = Field(
        default=3, ge=1, description="consecutive failed notifications shown as status failed"
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'renkei.db'}"

    @property
    def effective_source_id(self) -> str:
        """RENKEI_SOURCE_ID, else a URN that names the store (not its credentials) stably."""
        if self.source_id:
            return self.source_id
        digest = uuid.uuid5(uuid.NAMESPACE_URL, self.effective_database_url)
        return f"urn:ngsi-ld:ContextSource:{digest}"


@lru_cache
def get_settings() -> BrokerSettings:
    return BrokerSettings()
