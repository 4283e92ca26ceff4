"""Settings of the catalog package: every value comes from a ``RENKEI_CATALOG_`` variable."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class CatalogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENKEI_CATALOG_", extra="ignore")

    site_title: str = "オープンデータカタログ"
    site_description: str = ""
    locale_default: str = "ja"
    # the tenant whose organization publishes the catalog as a whole (DCAT-AP's publisher)
    publisher: str = "shared"
    # datasets per page of /catalog (DCAT-AP with Hydra paging)
    dcat_page_size: int = 100
    # the largest file resource_create / resource_update accept as an upload (bytes)
    upload_max_bytes: int = 20 * 1024 * 1024


@lru_cache
def get_catalog_settings() -> CatalogSettings:
    return CatalogSettings()
