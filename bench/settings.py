"""Settings of the bench package, from ``RENKEI_BENCH_`` environment variables."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class BenchSettings(BaseSettings):
    """Where the PostgreSQL scenarios create (and drop) their database."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_BENCH_", extra="ignore")

    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
