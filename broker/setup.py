"""Wiring of broker into the app: its core components (started before every other package) and
its routers."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from prometheus_client.core import GaugeMetricFamily

from broker.core import health, metrics
from broker.core.db import Database
from broker.core.metrics import Families, Metrics, pool_families
from broker.core.migrate import ensure_sqlite_directory
from broker.core.netguard import NetGuard
from broker.core.packages import Core, Package
from broker.core.settings import BrokerSettings
from broker.core.tenancy import TenantRegistry
from broker.entities.batch.router import router as batch_router
from broker.entities.query.router import router as query_router
from broker.entities.router import router as entities_router
from broker.entities.service import entity_counts
from broker.info.router import router as info_router
from broker.jsonld.context import ContextResolver
from broker.jsonld.router import router as contexts_router
from broker.registrations.components import Registrations
from broker.registrations.holders import RegisteredTenants
from broker.registrations.router import router as registrations_router
from broker.registrations.settings import get_registration_settings
from broker.registrations.subscriptions_router import router as csource_subscriptions_router
from broker.subscriptions.compiled import CompiledCache
from broker.subscriptions.matching import ChangeMatcher
from broker.subscriptions.router import router as subscriptions_router
from broker.subscriptions.service import Subscriptions
from broker.temporal import recording
from broker.temporal.router import operations_router as temporal_operations_router
from broker.temporal.router import router as temporal_router
from broker.types.router import router as types_router
from broker.v2.errors import OrionError, orion_error
from broker.v2.router import router as v2_router
from broker.v2.router import version_router
from broker.v2.subscriptions.router import router as v2_subscriptions_router
from broker.v2.types.router import router as v2_types_router

NGSI_LD_PREFIX = "/ngsi-ld/v1"


def include_routers(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(metrics.router)
    for router in (
        query_router,
        entities_router,
        batch_router,
        types_router,
        subscriptions_router,
        registrations_router,
        csource_subscriptions_router,
        temporal_router,
        temporal_operations_router,
        info_router,
        contexts_router,
    ):
        app.include_router(router, prefix=NGSI_LD_PREFIX)
    app.include_router(v2_router)
    app.include_router(v2_subscriptions_router)
    app.include_router(v2_types_router)
    app.add_exception_handler(OrionError, orion_error)
    app.include_router(version_router)


def broker_package() -> Package:
    """broker's routers; its components are the core, started by `core_components`."""
    return Package("broker", include_routers=include_routers)


def _entity_families(db: Database) -> Callable[[], Awaitable[Families]]:
    async def families() -> Families:
        async with db.read_session() as session:
            counts = await entity_counts(session)
        entities = GaugeMetricFamily("renkei_entities", "Entities stored, all tenants")
        entities.add_metric([], sum(counts.values()))
        tenants = GaugeMetricFamily("renkei_tenants_with_entities", "Tenants storing entities")
        tenants.add_metric([], len(counts))
        return [entities, tenants]

    return families


@asynccontextmanager
async def core_components(
    app: FastAPI, settings: BrokerSettings, *, tenant_cache_ttl: float
) -> AsyncIterator[Core]:
    """The database, tenants, outbound guard, @context resolver and subscription matching, on
    app.state; closed (the database last) after every package started on them has stopped."""
    url = settings.effective_database_url
    ensure_sqlite_directory(url)
    async with AsyncExitStack() as stack:
        db = Database(url, pool_size=settings.db_pool_size)
        stack.push_async_callback(db.dispose)
        tenants = TenantRegistry(db, ttl=tenant_cache_ttl)
        db.on_changed("tenants", tenants.invalidate)
        guard = NetGuard(
            allow_private=settings.notify_allow_private, allowed=settings.notify_allowed_hosts
        )
        contexts = ContextResolver(
            fetch_timeout=settings.context_fetch_timeout,
            max_bytes=settings.context_max_bytes,
            ttl=settings.context_cache_ttl,
            cache_size=settings.context_cache_size,
            guard=guard,
        )
        stack.push_async_callback(contexts.aclose)
        registry: Metrics = app.state.metrics
        registry.add_source("db_pool", lambda: pool_families(db.engine))
        registry.add_source("entities", _entity_families(db), cached=True)
        matchers = CompiledCache(contexts)
        db.commit_hooks.append(ChangeMatcher(matchers).commit_hook)
        db.commit_hooks.append(recording.commit_hook)
        app.state.db = db
        app.state.tenants = tenants
        app.state.netguard = guard
        app.state.contexts = contexts
        get_registration_settings()  # refuses to start on a default key in production
        app.state.registrations = Registrations(
            guard, contexts, failure_threshold=settings.subscription_failure_threshold
        )
        app.state.registered_tenants = RegisteredTenants(db, ttl=tenant_cache_ttl)
        app.state.subscriptions = Subscriptions(
            contexts, guard, failure_threshold=settings.subscription_failure_threshold
        )
        yield Core(settings, db, tenants, guard, contexts, matchers)
