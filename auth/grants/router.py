"""Data sharing grants: /admin/v1/tenants/{tenant}/grants."""

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from auth import scopes
from auth.dependencies import require_principal
from auth.grants import service
from auth.grants.models import Grant
from auth.grants.schemas import GrantCreate, GrantOut
from auth.principals import Principal
from auth.types import type_name
from broker.core.db import SessionDep
from broker.core.routing import RenkeiRoute

router = APIRouter(
    prefix="/admin/v1/tenants/{tenant}/grants", tags=["admin"], route_class=RenkeiRoute
)
GrantsAdmin = Annotated[Principal, Depends(require_principal(scopes.TENANTS_ADMIN))]


def grant_out(row: Grant) -> GrantOut:
    return GrantOut(
        id=row.id,
        tenant=row.tenant_id,
        granteeTenant=row.grantee_tenant,
        granteeClient=row.grantee_client,
        entityTypes=[type_name(t) for t in row.entity_types],
        createdAt=row.created_at,
        createdBy=row.created_by,
        revokedAt=row.revoked_at,
    )


@router.post("", status_code=201, operation_id="createGrant")
async def create_grant(
    session: SessionDep, principal: GrantsAdmin, tenant: str, body: GrantCreate
) -> GrantOut:
    """Let another tenant (or one client) read chosen entity types of this tenant."""
    return grant_out(await service.create_grant(session, principal, tenant=tenant, body=body))


@router.get("", operation_id="listGrants")
async def list_grants(session: SessionDep, principal: GrantsAdmin, tenant: str) -> list[GrantOut]:
    """The grants of this tenant in force."""
    return [grant_out(g) for g in await service.list_grants(session, principal, tenant=tenant)]


@router.delete("/{grant_id}", status_code=204, operation_id="revokeGrant")
async def revoke_grant(
    session: SessionDep, principal: GrantsAdmin, tenant: str, grant_id: str
) -> Response:
    """Revoke a grant: the grantee loses access within seconds."""
    await service.revoke_grant(session, principal, tenant=tenant, grant_id=grant_id)
    return Response(status_code=204)
