"""Tenant administration: /admin/v1/tenants."""

from typing import Annotated

from fastapi import APIRouter, Depends

from auth import scopes
from auth.dependencies import require_principal
from auth.principals import Principal
from auth.tenants import service
from auth.tenants.schemas import TenantCreate, TenantOut, TenantUpdate
from broker.core.db import SessionDep
from broker.core.models import Tenant
from broker.core.routing import RenkeiRoute

router = APIRouter(prefix="/admin/v1/tenants", tags=["admin"], route_class=RenkeiRoute)
TenantsAdmin = Annotated[Principal, Depends(require_principal(scopes.TENANTS_ADMIN))]


def tenant_out(row: Tenant) -> TenantOut:
    return TenantOut(
        id=row.id,
        code=row.code,
        kind=row.kind,
        nameJa=row.name_ja,
        nameEn=row.name_en,
        contact=row.contact,
        active=row.active,
        rateLimit=row.rate_limit,
        createdAt=row.created_at,
        updatedAt=row.updated_at,
    )


@router.post("", status_code=201, operation_id="registerTenant")
async def register_tenant(
    session: SessionDep, principal: TenantsAdmin, body: TenantCreate
) -> TenantOut:
    """Register a tenant (a municipality, the prefecture, or a shared tenant)."""
    return tenant_out(await service.register_tenant(session, principal, body=body))


@router.get("", operation_id="listTenants")
async def list_tenants(session: SessionDep, principal: TenantsAdmin) -> list[TenantOut]:
    """The tenants this principal administers."""
    return [tenant_out(t) for t in await service.list_tenants(session, principal)]


@router.get("/{tenant}", operation_id="getTenant")
async def get_tenant(session: SessionDep, principal: TenantsAdmin, tenant: str) -> TenantOut:
    """One tenant."""
    return tenant_out(await service.get_tenant(session, principal, tenant=tenant))


@router.patch("/{tenant}", operation_id="updateTenant")
async def update_tenant(
    session: SessionDep, principal: TenantsAdmin, tenant: str, body: TenantUpdate
) -> TenantOut:
    """Update a tenant's description; `active: false` deactivates it (its data is kept)."""
    return tenant_out(await service.update_tenant(session, principal, tenant=tenant, body=body))
