"""The application factory: middleware, broker's core, then every registered package."""

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from auth.audit.middleware import AuditMiddleware
from auth.settings import AuthSettings, get_auth_settings
from auth.setup import auth_package
from broker.core.apidocs import install_api_docs, operation_id
from broker.core.errors import install_error_handlers
from broker.core.metrics import Metrics, ObserveMiddleware
from broker.core.middleware import (
    LengthRequiredMiddleware,
    RequestIdMiddleware,
    TrailingSlashMiddleware,
)
from broker.core.packages import Package
from broker.core.settings import BrokerSettings, get_settings
from broker.entities.service import entity_counts
from broker.setup import broker_package, core_components
from catalog.setup import catalog_package
from connectors.notify.settings import NotifySettings, get_notify_settings
from connectors.notify.setup import notify_package
from connectors.settings import ConnectorSettings, get_connector_settings
from connectors.setup import connectors_package
from connectors.sources.settings import SourcesSettings, get_sources_settings
from connectors.sources.setup import sources_package
from console.setup import console_package

API_DESCRIPTION = """Renkei (連携) is a data-linkage base (データ連携基盤) shared by a prefecture
and its municipalities. It speaks NGSI-LD (ETSI GS CIM 009 V1.8/1.9) under `/ngsi-ld/v1`;
tenants are selected with the `NGSILD-Tenant` header. Every API call needs an OAuth2 access
token (client credentials at `/oauth2/token`) whose scopes and tenants allow it."""


def create_app(
    settings: BrokerSettings | None = None,
    *,
    auth: AuthSettings | None = None,
    connectors: ConnectorSettings | None = None,
    notify: NotifySettings | None = None,
    sources: SourcesSettings | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    auth = auth or get_auth_settings()
    # Started in this order after broker's core, stopped in reverse (after uvicorn has stopped
    # taking requests and finished those in flight): the notifier finishes its sends first,
    # then the MQTT worker stores and acknowledges the batch in hand, then the audit log
    # flushes and seals; the database closes last.
    packages: Sequence[Package] = (
        broker_package(),
        auth_package(
            auth,
            issuer=auth.issuer_for(settings.host, settings.port),
            entity_counts=entity_counts,
        ),
        connectors_package(connectors or get_connector_settings()),
        notify_package(notify or get_notify_settings()),
        sources_package(sources or get_sources_settings()),
        catalog_package(),
        console_package(secret=auth.secret.get_secret_value(), session_ttl=auth.token_ttl),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        core_cm = core_components(app, settings, tenant_cache_ttl=auth.auth_cache_ttl)
        async with core_cm as core, AsyncExitStack() as stack:
            for package in packages:
                if package.start is not None:
                    await stack.enter_async_context(package.start(app, core))
            yield

    app = FastAPI(
        title="Renkei",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.auth_settings = auth
    app.state.metrics = Metrics(cache_ttl=settings.metrics_cache_ttl)
    install_error_handlers(app)
    app.add_middleware(LengthRequiredMiddleware)  # innermost: audited, before routing
    app.add_middleware(AuditMiddleware)
    app.add_middleware(ObserveMiddleware)
    app.add_middleware(RequestIdMiddleware)  # the others see the request id
    app.add_middleware(TrailingSlashMiddleware)  # outermost: one path form for all of them
    install_api_docs(app)
    for package in packages:
        if package.include_routers is not None:
            package.include_routers(app)
    return app
