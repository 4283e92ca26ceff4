"""Wiring of the auth package into the app: components on app.state, routers, start-up."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from auth.bootstrap import announce_admin, ensure_admin_client, ensure_shared_tenant
from auth.clients.router import router as clients_router
from auth.directory import Directory
from auth.grants.router import router as grants_router
from auth.guard import Guard
from auth.keys.service import KeyRing
from auth.oidc import ExternalIssuers
from auth.settings import AuthSettings
from auth.tenants.router import router as tenants_router
from auth.tokens.router import router as tokens_router
from auth.tokens.service import TokenEndpoints
from auth.tokens.validation import Authenticator
from broker.core.db import Database
from broker.core.tenancy import TenantRegistry

log = logging.getLogger("renkei.auth")


def include_routers(app: FastAPI) -> None:
    for router in (tokens_router, tenants_router, clients_router, grants_router):
        app.include_router(router)


@asynccontextmanager
async def auth_components(
    app: FastAPI, *, db: Database, tenants: TenantRegistry, settings: AuthSettings, issuer: str
) -> AsyncIterator[None]:
    """Creates the auth components on app.state; on first start, the admin client."""
    keyring = KeyRing(
        db,
        secret=settings.secret.get_secret_value(),
        rotation=timedelta(days=settings.key_rotation_days),
        token_ttl=settings.token_ttl,
    )
    directory = Directory(db, ttl=settings.auth_cache_ttl)
    for table in ("oauth_clients", "revoked_tokens", "sharing_grants"):
        db.on_changed(table, directory.invalidate)
    async with httpx.AsyncClient(timeout=10.0) as http:
        external = ExternalIssuers(
            settings.external_issuers,
            http=http,
            cache_ttl=settings.jwks_cache_ttl,
            refresh_interval=settings.jwks_refresh_interval,
        )
        authenticator = Authenticator(
            issuer=issuer,
            audience=settings.audience,
            keyring=keyring,
            directory=directory,
            external=external,
        )
        app.state.issuer = issuer
        app.state.keyring = keyring
        app.state.directory = directory
        app.state.token_endpoints = TokenEndpoints(
            keyring, issuer=issuer, audience=settings.audience, ttl=settings.token_ttl
        )
        app.state.guard = Guard(
            disabled=settings.auth_disabled,
            authenticator=authenticator,
            directory=directory,
            tenants=tenants,
            shared_tenant=settings.shared_tenant,
        )
        if settings.auth_disabled:
            log.warning(
                "AUTH IS DISABLED (RENKEI_AUTH_DISABLED=1): every request acts with every "
                "scope in every tenant. For local experiments only."
            )
            yield
            return
        bootstrap = _Bootstrap(db, keyring, settings, issuer)
        retrying = (
            None if await bootstrap.attempt() else asyncio.create_task(bootstrap.until_done())
        )
        try:
            yield
        finally:
            if retrying is not None:
                retrying.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await retrying


class _Bootstrap:
    """First-start work; retried in the background while the store is unreachable, so the
    process still starts (liveness up, readiness down) and catches up when it comes back."""

    RETRY_SECONDS = 5.0

    def __init__(self, db: Database, keyring: KeyRing, settings: AuthSettings, issuer: str):
        self.db = db
        self.keyring = keyring
        self.settings = settings
        self.issuer = issuer
        self.done = False

    async def attempt(self) -> bool:
        try:
            await self.keyring.signing_key()
            await ensure_shared_tenant(self.db, self.settings.shared_tenant)
            secret = await ensure_admin_client(self.db, self.settings.admin_client_id)
        except (OSError, DBAPIError) as exc:
            log.error("auth start-up postponed, the database is not reachable: %s", exc)
            return False
        if secret is not None:
            announce_admin(self.settings.admin_client_id, secret, self.issuer)
        self.done = True
        return True

    async def until_done(self) -> None:
        while True:
            await asyncio.sleep(self.RETRY_SECONDS)
            if await self.attempt():
                return
