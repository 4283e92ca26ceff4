"""Tenant administration (scope tenants:admin).

Registering a tenant takes a principal of every tenant (`*`: the prefecture); a member of a
tenant may read and update its own description, but not its kind or whether it is active.
"""

import re
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Principal
from auth.tenants.repository import TenantRepository
from auth.tenants.schemas import TenantCreate, TenantUpdate
from broker.core.errors import AlreadyExists, BadRequestData, Forbidden, ResourceNotFound
from broker.core.models import Tenant

_CODE = re.compile(r"^\d{6}$")
_WEIGHTS = (6, 5, 4, 3, 2)


def check_code(code: str) -> str:
    """全国地方公共団体コード (JIS X 0402 with check digit), e.g. 141003 for Yokohama."""
    if not _CODE.match(code):
        raise BadRequestData(f"municipality code {code!r} must be six digits")
    total = sum(int(d) * w for d, w in zip(code[:5], _WEIGHTS, strict=True))
    if (11 - total % 11) % 10 != int(code[5]):
        raise BadRequestData(f"municipality code {code!r} has a wrong check digit")
    return code


async def _unique_code(session: AsyncSession, code: str | None, tenant: str) -> str | None:
    if code is None:
        return None
    existing = await TenantRepository(session).by_code(check_code(code))
    if existing is not None and existing.id != tenant:
        raise AlreadyExists(f"code {code} belongs to tenant {existing.id}")
    return code


async def register_tenant(
    session: AsyncSession, principal: Principal, *, body: TenantCreate
) -> Tenant:
    if not principal.all_tenants:
        raise Forbidden("registering tenants needs a principal of every tenant")
    if await TenantRepository(session).get(body.id) is not None:
        raise AlreadyExists(f"tenant {body.id} already exists")
    tenant = Tenant(
        id=body.id,
        created_at=datetime.now(UTC),
        code=await _unique_code(session, body.code, body.id),
        kind=body.kind,
        name_ja=body.nameJa,
        name_en=body.nameEn,
        contact=body.contact,
        active=True,
        rate_limit=body.rateLimit,
    )
    await TenantRepository(session).add(tenant)
    return tenant


async def list_tenants(session: AsyncSession, principal: Principal) -> list[Tenant]:
    names = None if principal.all_tenants else principal.tenants
    return list(await TenantRepository(session).list_some(names))


async def get_tenant(session: AsyncSession, principal: Principal, *, tenant: str) -> Tenant:
    row = await TenantRepository(session).get(tenant)
    if row is None or not principal.member_of(tenant):
        raise ResourceNotFound(f"tenant {tenant} not found")
    return row


async def update_tenant(
    session: AsyncSession, principal: Principal, *, tenant: str, body: TenantUpdate
) -> Tenant:
    row = await get_tenant(session, principal, tenant=tenant)
    given = body.model_fields_set
    if given & {"kind", "active", "code", "rateLimit"} and not principal.all_tenants:
        raise Forbidden(
            "only a principal of every tenant changes a tenant's code, kind, state or rate limit"
        )
    if "rateLimit" in given:
        row.rate_limit = body.rateLimit
    if "code" in given:
        row.code = await _unique_code(session, body.code, tenant)
    for field, column in (("nameJa", "name_ja"), ("nameEn", "name_en"), ("contact", "contact")):
        if field in given:
            setattr(row, column, getattr(body, field))
    if body.kind is not None:
        row.kind = body.kind
    if body.active is not None:
        row.active = body.active
    row.updated_at = datetime.now(UTC)
    await TenantRepository(session).save()
    return row
