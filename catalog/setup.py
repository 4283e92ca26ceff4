"""Wiring of the catalog package into the app: the CKAN Action API's routes and settings, and
the vision registry's routes."""

from fastapi import FastAPI

from broker.core.packages import Package
from catalog.ckan.router import router
from catalog.settings import CatalogSettings, get_catalog_settings
from catalog.vision.router import router as vision_router


def catalog_package(settings: CatalogSettings | None = None) -> Package:
    def include_routers(app: FastAPI) -> None:
        app.state.catalog_settings = settings or get_catalog_settings()
        app.include_router(router, prefix="/api/3/action")
        app.include_router(router, prefix="/api/action")  # the path ckanapi calls
        app.include_router(vision_router)

    return Package("catalog", include_routers=include_routers)
