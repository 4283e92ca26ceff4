"""Data sharing grants (scope tenants:admin, by a member of the granting tenant)."""

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auth.clients.repository import ClientRepository
from auth.grants.models import Grant
from auth.grants.repository import GrantRepository
from auth.grants.schemas import GrantCreate
from auth.principals import Principal
from auth.tenants.repository import TenantRepository
from auth.types import type_iris
from broker.core.errors import BadRequestData, ResourceNotFound


async def _own_tenant(session: AsyncSession, principal: Principal, tenant: str) -> None:
    if not principal.member_of(tenant) or await TenantRepository(session).get(tenant) is None:
        raise ResourceNotFound(f"tenant {tenant} not found")


async def create_grant(
    session: AsyncSession, principal: Principal, *, tenant: str, body: GrantCreate
) -> Grant:
    await _own_tenant(session, principal, tenant)
    if (body.granteeTenant is None) == (body.granteeClient is None):
        raise BadRequestData("name exactly one of granteeTenant and granteeClient")
    if body.granteeTenant is not None:
        if body.granteeTenant == tenant:
            raise BadRequestData("a tenant needs no grant to read its own data")
        if await TenantRepository(session).get(body.granteeTenant) is None:
            raise BadRequestData(f"no such tenant: {body.granteeTenant}")
    client = body.granteeClient
    if client is not None and await ClientRepository(session).get(client) is None:
        raise BadRequestData(f"no such client: {body.granteeClient}")
    grant = Grant(
        id=uuid.uuid4().hex,
        tenant_id=tenant,
        grantee_tenant=body.granteeTenant,
        grantee_client=body.granteeClient,
        entity_types=type_iris(body.entityTypes) or [],
        created_at=datetime.now(UTC),
        created_by=principal.client_id or principal.subject,
        revoked_at=None,
    )
    await GrantRepository(session, tenant).add(grant)
    return grant


async def list_grants(session: AsyncSession, principal: Principal, *, tenant: str) -> list[Grant]:
    await _own_tenant(session, principal, tenant)
    return list(await GrantRepository(session, tenant).active())


async def revoke_grant(
    session: AsyncSession, principal: Principal, *, tenant: str, grant_id: str
) -> None:
    await _own_tenant(session, principal, tenant)
    grants = GrantRepository(session, tenant)
    grant = await grants.get(grant_id)
    if grant is None or grant.revoked_at is not None:
        raise ResourceNotFound(f"grant {grant_id} not found")
    await grants.revoke(grant_id, datetime.now(UTC))
