"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from broker.core import health
from broker.core.db import Database
from broker.core.errors import install_error_handlers
from broker.core.middleware import RequestIdMiddleware
from broker.core.migrate import ensure_sqlite_directory
from broker.core.settings import BrokerSettings, get_settings
from broker.core.tenancy import TenantRegistry
from broker.entities.batch.router import router as batch_router
from broker.entities.query.router import router as query_router
from broker.entities.router import router as entities_router
from broker.jsonld.context import ContextResolver
from broker.types.router import router as types_router

API_DESCRIPTION = """Renkei (連携) is a data-linkage base (データ連携基盤) shared by a prefecture
and its municipalities. It speaks NGSI-LD (ETSI GS CIM 009 V1.8/1.9) under `/ngsi-ld/v1`;
tenants are selected with the `NGSILD-Tenant` header."""


def create_app(settings: BrokerSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.effective_database_url
        ensure_sqlite_directory(url)
        db = Database(url, pool_size=settings.db_pool_size)
        contexts = ContextResolver(
            fetch_timeout=settings.context_fetch_timeout,
            max_bytes=settings.context_max_bytes,
            ttl=settings.context_cache_ttl,
            cache_size=settings.context_cache_size,
        )
        app.state.db = db
        app.state.tenants = TenantRegistry(db)
        app.state.contexts = contexts
        try:
            yield
        finally:
            await contexts.aclose()
            await db.dispose()

    app = FastAPI(
        title="Renkei",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(query_router, prefix="/ngsi-ld/v1")
    app.include_router(entities_router, prefix="/ngsi-ld/v1")
    app.include_router(batch_router, prefix="/ngsi-ld/v1")
    app.include_router(types_router, prefix="/ngsi-ld/v1")
    return app
