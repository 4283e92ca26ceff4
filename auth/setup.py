"""Wiring of the auth package into the app: components on app.state, routers, start-up."""

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from auth.audit.log import AuditLog, EntityCounts
from auth.audit.router import router as audit_router
from auth.audit.usage import Usage
from auth.bootstrap import bootstrapped
from auth.clients.router import router as clients_router
from auth.cookies import CookieSigner
from auth.directory import Directory
from auth.grants.router import router as grants_router
from auth.guard import Guard
from auth.keys.service import KeyRing
from auth.limits import FailureThrottle, RateLimiter
from auth.oidc import ExternalIssuers
from auth.settings import AuthSettings
from auth.tenants.router import router as tenants_router
from auth.tokens.router import router as tokens_router
from auth.tokens.service import TokenEndpoints
from auth.tokens.validation import Authenticator
from auth.users.service import Lockout
from broker.core.db import Database
from broker.core.packages import Core, Package
from broker.core.tenancy import TenantRegistry

log = logging.getLogger("renkei.auth")
SIGNIN_PAGE_TTL = 900  # seconds a sign-in page's form may be sent


def include_routers(app: FastAPI) -> None:
    for router in (tokens_router, tenants_router, clients_router, grants_router, audit_router):
        app.include_router(router)


def _audit_log(
    db: Database,
    keyring: KeyRing,
    usage: Usage,
    settings: AuthSettings,
    counts: EntityCounts | None,
) -> AuditLog:
    return AuditLog(
        db,
        keyring,
        usage,
        flush_interval=settings.audit_flush_interval,
        batch_size=settings.audit_batch_size,
        checkpoint_interval=settings.audit_checkpoint_interval,
        entity_counts=counts,
    )


@asynccontextmanager
async def auth_components(
    app: FastAPI,
    *,
    db: Database,
    tenants: TenantRegistry,
    settings: AuthSettings,
    issuer: str,
    entity_counts: EntityCounts | None = None,
) -> AsyncIterator[None]:
    """The auth components on app.state, the audit worker running, the first start done."""
    keyring = KeyRing(
        db,
        secret=settings.secret.get_secret_value(),
        rotation=timedelta(days=settings.key_rotation_days),
        token_ttl=settings.token_ttl,
    )
    directory = Directory(db, ttl=settings.auth_cache_ttl)
    for table in ("oauth_clients", "revoked_tokens", "sharing_grants"):
        db.on_changed(table, directory.invalidate)
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
        external = ExternalIssuers(
            settings.external_issuers,
            http=http,
            cache_ttl=settings.jwks_cache_ttl,
            refresh_interval=settings.jwks_refresh_interval,
            leeway=settings.token_leeway,
        )
        authenticator = Authenticator(
            issuer=issuer,
            audience=settings.audience,
            keyring=keyring,
            directory=directory,
            external=external,
            leeway=settings.token_leeway,
        )
        app.state.issuer = issuer
        app.state.keyring = keyring
        app.state.directory = directory
        app.state.token_endpoints = TokenEndpoints(
            keyring,
            issuer=issuer,
            audience=settings.audience,
            ttl=settings.token_ttl,
            throttle=FailureThrottle(
                per_client=settings.token_failures_per_client,
                per_address=settings.token_failures_per_address,
            ),
        )
        limiter = RateLimiter(
            tenant_rate=settings.rate_limit_tenant,
            client_rate=settings.rate_limit_client,
            burst=settings.rate_limit_burst,
        )
        metrics = getattr(app.state, "metrics", None)
        if metrics is not None:
            metrics.add_source("ratelimit", limiter.metric_families)
        app.state.signin_cookies = CookieSigner(
            settings.secret.get_secret_value(), purpose="signin", max_age=SIGNIN_PAGE_TTL
        )
        app.state.signin_lockout = Lockout(
            max_failures=settings.signin_max_failures,
            duration=timedelta(minutes=settings.signin_lockout_minutes),
        )
        app.state.guard = Guard(
            disabled=settings.auth_disabled,
            authenticator=authenticator,
            directory=directory,
            tenants=tenants,
            shared_tenant=settings.shared_tenant,
            limiter=limiter,
        )
        app.state.usage = Usage(settings.usage_timezone)
        app.state.audit = None
        if settings.audit_enabled:
            audit = _audit_log(db, keyring, app.state.usage, settings, entity_counts)
            db.commit_hooks.append(audit.commit_hook)
            app.state.audit = audit
            audit.start()
            stack.push_async_callback(audit.aclose)
        if settings.auth_disabled:
            log.warning(
                "AUTH IS DISABLED (RENKEI_AUTH_DISABLED=1): every request acts with every "
                "scope in every tenant. For local experiments only."
            )
        else:
            await stack.enter_async_context(bootstrapped(db, keyring, settings, issuer))
        yield


def auth_package(
    settings: AuthSettings, *, issuer: str, entity_counts: EntityCounts | None = None
) -> Package:
    def start(app: FastAPI, core: Core) -> AbstractAsyncContextManager[None]:
        return auth_components(
            app,
            db=core.db,
            tenants=core.tenants,
            settings=settings,
            issuer=issuer,
            entity_counts=entity_counts,
        )

    return Package("auth", include_routers=include_routers, start=start)
