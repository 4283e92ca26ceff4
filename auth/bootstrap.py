"""First start: the first signing key, the prefecture's shared tenant, and the admin client.

The admin client (every scope, every tenant) is created only when no active client of every
tenant exists; its secret is printed once, here, and never stored in the clear. A lost secret
is replaced with `renkei client rotate <id>`.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError, IntegrityError

from auth import scopes
from auth.clients import service as client_service
from auth.clients.repository import ClientRepository
from auth.clients.schemas import ClientCreate
from auth.keys.service import KeyRing
from auth.principals import ALL_TENANTS, SYSTEM
from auth.settings import AuthSettings
from auth.tenants.repository import TenantRepository
from broker.core.db import Database
from broker.core.errors import AlreadyExists
from broker.core.models import Tenant

log = logging.getLogger("renkei.auth")


async def ensure_shared_tenant(db: Database, name: str) -> None:
    try:
        async with db.transaction() as session:
            tenants = TenantRepository(session)
            if await tenants.get(name) is None:
                await tenants.add(
                    Tenant(
                        id=name,
                        created_at=datetime.now(UTC),
                        kind="shared",
                        name_en="Prefecture shared data",
                        name_ja="都道府県共有データ",
                        active=True,
                    ),
                )
    except IntegrityError:
        pass  # another replica created it at the same moment


async def ensure_admin_client(db: Database, client_id: str) -> str | None:
    """Create the admin client if there is none; returns its secret when it was created."""
    try:
        async with db.transaction() as session:
            if await ClientRepository(session).any_with_all_tenants():
                return None
            issued = await client_service.create_client(
                session,
                SYSTEM,
                body=ClientCreate(
                    id=client_id,
                    name="Prefecture administrator",
                    scopes=sorted(scopes.SCOPES),
                    tenants=[ALL_TENANTS],
                ),
            )
    except (IntegrityError, AlreadyExists):
        return None  # another replica or worker created it at the same moment
    return issued.secret


def announce_admin(client_id: str, secret: str, issuer: str) -> None:
    """Print the admin client's credentials: the only time they are shown."""
    banner = "=" * 78
    print(
        f"\n{banner}\nRenkei created the prefecture admin client. Its secret is shown ONCE:\n"
        f"  client_id:     {client_id}\n  client_secret: {secret}\n"
        f"Get a token:\n  curl -s -u '{client_id}:{secret}' -d grant_type=client_credentials "
        f"{issuer}/oauth2/token\n{banner}\n",
        flush=True,
    )
    log.warning("created admin client %s (secret printed to stdout once)", client_id)


async def _attempt(db: Database, keyring: KeyRing, settings: AuthSettings, issuer: str) -> bool:
    try:
        await keyring.signing_key()
        await ensure_shared_tenant(db, settings.shared_tenant)
        secret = await ensure_admin_client(db, settings.admin_client_id)
    except (OSError, DBAPIError) as exc:
        log.error("auth start-up postponed, the database is not reachable: %s", exc)
        return False
    if secret is not None:
        announce_admin(settings.admin_client_id, secret, issuer)
    return True


async def _until_done(db: Database, keyring: KeyRing, settings: AuthSettings, issuer: str) -> None:
    while True:
        await asyncio.sleep(RETRY_SECONDS)
        if await _attempt(db, keyring, settings, issuer):
            return


RETRY_SECONDS = 5.0


@asynccontextmanager
async def bootstrapped(
    db: Database, keyring: KeyRing, settings: AuthSettings, issuer: str
) -> AsyncIterator[None]:
    """Does the first-start work; while the store is unreachable, retries it in the background
    so the process still starts (liveness up, readiness down) and catches up later."""
    retrying = None
    if not await _attempt(db, keyring, settings, issuer):
        retrying = asyncio.create_task(_until_done(db, keyring, settings, issuer))
    try:
        yield
    finally:
        if retrying is not None:
            retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retrying
