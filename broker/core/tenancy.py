"""Tenancy: tenant names, and which tenants exist.

A tenant is a row of `tenants`; every other table carries `tenant_id`. Which tenant a request
acts in, and whether it may, is decided in one place: `auth.dependencies.require`. With auth
disabled (local experiments only) a request that creates entities creates an unknown tenant,
as NGSI-LD brokers do; otherwise tenants are registered through the admin API or CLI.
"""

import re
from dataclasses import dataclass

from broker.core.db import Database
from broker.core.errors import BadRequestData
from broker.core.snapshot import Snapshot
from broker.core.tenant_repository import TenantStateRepository

DEFAULT_TENANT = "default"
TENANT_HEADER = "NGSILD-Tenant"
FIWARE_SERVICE_HEADER = "Fiware-Service"
_TENANT_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
# An unknown name forces a reload at most this often (a tenant registered on another replica).
_MISS_RELOAD_SECONDS = 1.0


def tenant_name(header: str | None, what: str = TENANT_HEADER) -> str:
    if header is None or header == "":
        return DEFAULT_TENANT
    if not _TENANT_NAME.match(header):
        raise BadRequestData(f"{what} must be 1-64 characters of letters, digits, '_' or '-'")
    return header


@dataclass(frozen=True, slots=True)
class TenantState:
    name: str
    kind: str
    active: bool
    rate_limit: float | None = None  # requests/s; None: the default


class TenantRegistry:
    """The tenants that exist, from an in-process snapshot of the `tenants` table."""

    def __init__(self, db: Database, *, ttl: float = 5.0) -> None:
        self.db = db
        self._snapshot = Snapshot(self._load, ttl)

    async def _load(self) -> dict[str, TenantState]:
        async with self.db.read_session() as session:
            rows = await TenantStateRepository(session).states()
        return {row[0]: TenantState(*row) for row in rows}

    async def get(self, name: str) -> TenantState | None:
        tenants = await self._snapshot.get()
        if name not in tenants:
            tenants = await self._snapshot.get(max_age=_MISS_RELOAD_SECONDS)
        return tenants.get(name)

    async def exists(self, name: str) -> bool:
        return await self.get(name) is not None

    async def ensure(self, name: str) -> None:
        """Create the tenant in its own committed transaction, so rollbacks never undo it."""
        if await self.exists(name):
            return
        async with self.db.transaction() as session:
            await TenantStateRepository(session).create_if_missing(name)
        self.invalidate()

    def invalidate(self) -> None:
        self._snapshot.invalidate()
