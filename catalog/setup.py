"""Wiring of the catalog package into the app: the routes and settings of the CKAN Action
API, DCAT-AP, live data, files, the standard data sets and the vision registry."""

from fastapi import FastAPI

from broker.core.packages import Package
from catalog.ckan.router import router
from catalog.dcat.router import router as dcat_router
from catalog.files.router import router as files_router
from catalog.live.router import router as live_router
from catalog.settings import CatalogSettings, get_catalog_settings
from catalog.standard.router import router as standard_router
from catalog.vision.router import router as vision_router


def catalog_package(settings: CatalogSettings | None = None) -> Package:
    def include_routers(app: FastAPI) -> None:
        app.state.catalog_settings = settings or get_catalog_settings()
        app.include_router(router, prefix="/api/3/action")
        app.include_router(router, prefix="/api/action")  # the path ckanapi calls
        app.include_router(dcat_router)
        app.include_router(live_router)
        app.include_router(files_router)
        app.include_router(standard_router)
        app.include_router(vision_router)

    return Package("catalog", include_routers=include_routers)
