"""The application factory."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from prometheus_client.core import GaugeMetricFamily

from auth.audit.middleware import AuditMiddleware
from auth.settings import AuthSettings, get_auth_settings
from auth.setup import auth_components
from auth.setup import include_routers as include_auth_routers
from broker.core import health
from broker.core import metrics as metrics_routes
from broker.core.apidocs import install_api_docs, operation_id
from broker.core.db import Database
from broker.core.errors import install_error_handlers
from broker.core.metrics import (
    Families,
    Metrics,
    ObserveMiddleware,
    pool_families,
)
from broker.core.middleware import (
    LengthRequiredMiddleware,
    RequestIdMiddleware,
    TrailingSlashMiddleware,
)
from broker.core.migrate import ensure_sqlite_directory
from broker.core.netguard import NetGuard
from broker.core.settings import BrokerSettings, get_settings
from broker.core.tenancy import TenantRegistry
from broker.entities.batch.router import router as batch_router
from broker.entities.query.router import router as query_router
from broker.entities.repository import entity_counts
from broker.entities.router import router as entities_router
from broker.info.router import router as info_router
from broker.jsonld.context import ContextResolver
from broker.jsonld.router import router as contexts_router
from broker.subscriptions.compiled import CompiledCache
from broker.subscriptions.matching import ChangeMatcher
from broker.subscriptions.router import router as subscriptions_router
from broker.subscriptions.service import Subscriptions
from broker.types.router import router as types_router
from connectors.notify.settings import NotifySettings, get_notify_settings
from connectors.notify.setup import notifier_components
from connectors.settings import ConnectorSettings, get_connector_settings
from connectors.setup import connector_components
from connectors.setup import include_routers as include_connector_routers

API_DESCRIPTION = """Renkei (連携) is a data-linkage base (データ連携基盤) shared by a prefecture
and its municipalities. It speaks NGSI-LD (ETSI GS CIM 009 V1.8/1.9) under `/ngsi-ld/v1`;
tenants are selected with the `NGSILD-Tenant` header. Every API call needs an OAuth2 access
token (client credentials at `/oauth2/token`) whose scopes and tenants allow it."""


def _entity_families(db: Database) -> Callable[[], Awaitable[Families]]:
    async def families() -> Families:
        async with db.read_session() as session:
            counts = await entity_counts(session)
        family = GaugeMetricFamily(
            "renkei_entities", "Entities stored, by tenant", labels=["tenant"]
        )
        for tenant, count in sorted(counts.items()):
            family.add_metric([tenant], count)
        return [family]

    return families


def create_app(
    settings: BrokerSettings | None = None,
    *,
    auth: AuthSettings | None = None,
    connectors: ConnectorSettings | None = None,
    notify: NotifySettings | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    auth = auth or get_auth_settings()
    connectors = connectors or get_connector_settings()
    notify = notify or get_notify_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Start-up in this order; shutdown (after uvicorn has stopped taking requests and
        finished those in flight) in reverse: the MQTT worker stores and acknowledges the batch
        in hand, then the audit log flushes its buffer and seals, then the database closes."""
        url = settings.effective_database_url
        ensure_sqlite_directory(url)
        async with AsyncExitStack() as stack:
            db = Database(url, pool_size=settings.db_pool_size)
            stack.push_async_callback(db.dispose)
            tenants = TenantRegistry(db, ttl=auth.auth_cache_ttl)
            guard = NetGuard(
                allow_private=settings.notify_allow_private,
                allowed=settings.notify_allowed_hosts,
            )
            app.state.netguard = guard
            db.on_changed("tenants", tenants.invalidate)
            contexts = ContextResolver(
                fetch_timeout=settings.context_fetch_timeout,
                max_bytes=settings.context_max_bytes,
                ttl=settings.context_cache_ttl,
                cache_size=settings.context_cache_size,
                guard=guard,
            )
            stack.push_async_callback(contexts.aclose)
            app.state.db = db
            metrics: Metrics = app.state.metrics
            metrics.add_source("db_pool", lambda: pool_families(db.engine))
            metrics.add_source("entities", _entity_families(db), cached=True)
            app.state.tenants = tenants
            app.state.contexts = contexts
            compiled = CompiledCache(contexts)
            db.commit_hooks.append(ChangeMatcher(compiled).commit_hook)
            app.state.subscriptions = Subscriptions(
                contexts, guard, failure_threshold=settings.subscription_failure_threshold
            )
            await stack.enter_async_context(
                auth_components(
                    app,
                    db=db,
                    tenants=tenants,
                    settings=auth,
                    issuer=auth.issuer_for(settings.host, settings.port),
                    entity_counts=entity_counts,
                )
            )
            # after auth: it stops (draining its batch) before the audit log closes
            await stack.enter_async_context(
                connector_components(app, db=db, contexts=contexts, settings=connectors)
            )
            # last: on shutdown it stops first, finishing its sends while the rest still runs
            await stack.enter_async_context(
                notifier_components(app, db=db, cache=compiled, guard=guard, settings=notify)
            )
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
    app.include_router(health.router)
    app.include_router(metrics_routes.router)
    include_auth_routers(app)
    app.include_router(query_router, prefix="/ngsi-ld/v1")
    app.include_router(entities_router, prefix="/ngsi-ld/v1")
    app.include_router(batch_router, prefix="/ngsi-ld/v1")
    app.include_router(types_router, prefix="/ngsi-ld/v1")
    app.include_router(subscriptions_router, prefix="/ngsi-ld/v1")
    app.include_router(info_router, prefix="/ngsi-ld/v1")
    app.include_router(contexts_router, prefix="/ngsi-ld/v1")
    include_connector_routers(app)
    return app
