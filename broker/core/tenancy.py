"""Tenancy: which tenant a request acts in, and whether that tenant may be used.

The policy lives here and nowhere else. For now (NGSI-LD behaviour) a request that creates
entities creates an unknown tenant; any other request naming an unknown tenant is 404
NonexistentTenant.
"""

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from broker.core.db import Database, upsert_insert
from broker.core.errors import BadRequestData, NonexistentTenant
from broker.core.models import Tenant

DEFAULT_TENANT = "default"
TENANT_HEADER = "NGSILD-Tenant"
_TENANT_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def tenant_name(header: str | None) -> str:
    if header is None or header == "":
        return DEFAULT_TENANT
    if not _TENANT_NAME.match(header):
        raise BadRequestData(
            f"{TENANT_HEADER} must be 1-64 characters of letters, digits, '_' or '-'"
        )
    return header


class TenantRegistry:
    """Known tenants, checked against the store and remembered once seen committed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._known: set[str] = set()

    async def exists(self, name: str) -> bool:
        if name in self._known:
            return True
        async with self.db.read_session() as session:
            found = await session.scalar(select(Tenant.id).where(Tenant.id == name))
        if found:
            self._known.add(name)
        return bool(found)

    async def ensure(self, name: str) -> None:
        """Create the tenant in its own committed transaction, so rollbacks never undo it."""
        if name in self._known:
            return
        async with self.db.write_session() as session:
            await session.execute(
                upsert_insert(session, Tenant.__table__)
                .values(id=name, created_at=datetime.now(UTC))
                .on_conflict_do_nothing()
            )
            await session.commit()
        self._known.add(name)


async def _existing_tenant(request: Request) -> str:
    """The tenant a request acts in (NGSILD-Tenant header, else the default); it must exist."""
    name = tenant_name(request.headers.get(TENANT_HEADER))
    if not await request.app.state.tenants.exists(name):
        raise NonexistentTenant(f"tenant {name!r} does not exist")
    return name


async def _creatable_tenant(request: Request) -> str:
    """As _existing_tenant, but a creating request creates an unknown tenant."""
    name = tenant_name(request.headers.get(TENANT_HEADER))
    await request.app.state.tenants.ensure(name)
    return name


TenantDep = Annotated[str, Depends(_existing_tenant)]
CreatingTenantDep = Annotated[str, Depends(_creatable_tenant)]
