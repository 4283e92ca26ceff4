"""The site actions, which read no data: site_read, status_show, license_list."""

from typing import Any

from catalog.licenses import LICENSES
from catalog.settings import CatalogSettings

# The CKAN version whose Action API shapes this one follows (clients read it to pick features).
CKAN_VERSION = "2.10.4"


def status_show(settings: CatalogSettings, *, site_url: str) -> dict[str, Any]:
    return {
        "ckan_version": CKAN_VERSION,
        "site_url": site_url,
        "site_title": settings.site_title,
        "site_description": settings.site_description,
        "locale_default": settings.locale_default,
        "error_emails_to": None,
        "extensions": [],
    }


def license_list() -> list[dict[str, object]]:
    return [license.as_ckan() for license in LICENSES]
