"""The access decision: may this principal use this scope in this tenant, and see which types?

- A member of the tenant (or of every tenant, `*`) acts with its scopes, limited to its client's
  entity types.
- Anyone may read the prefecture's shared tenant.
- A sharing grant of the tenant lets the grantee tenant's clients, or one client, read the
  granted entity types.
- Otherwise 403, whether or not the tenant exists; a member naming a tenant that does not exist
  gets 404 NonexistentTenant. With auth disabled, a creating request creates the tenant.
"""

from dataclasses import replace

from auth import scopes
from auth.directory import Directory
from auth.limits import RateLimiter
from auth.principals import ALL_TENANTS, SYSTEM, Access, Principal
from auth.tokens.validation import Authenticator
from broker.core.errors import Forbidden, NonexistentTenant, Unauthorized
from broker.core.tenancy import TenantRegistry

# The principal of every request while auth is disabled (local experiments only).
LOCAL = replace(SYSTEM, subject="local", issuer="local")


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("this request needs an OAuth2 bearer token")
    kind, _, token = authorization.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise Unauthorized("use the Authorization: Bearer <token> scheme", error="invalid_request")
    return token.strip()


class Guard:
    def __init__(
        self,
        *,
        disabled: bool,
        authenticator: Authenticator,
        directory: Directory,
        tenants: TenantRegistry,
        shared_tenant: str,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.disabled = disabled
        self.authenticator = authenticator
        self.directory = directory
        self.tenants = tenants
        self.shared_tenant = shared_tenant
        self.limiter = limiter or RateLimiter(tenant_rate=0, client_rate=0, burst=0)

    async def principal(self, authorization: str | None) -> Principal:
        if self.disabled:
            return LOCAL
        return await self.authenticator.principal(bearer_token(authorization))

    async def access(
        self, principal: Principal, *, scope: str, tenant: str, creates_tenant: bool = False
    ) -> Access:
        access = await self._decide(principal, scope=scope, tenant=tenant, creates=creates_tenant)
        state = await self.tenants.get(tenant)
        self.limiter.take(
            tenant=tenant,
            client=principal.client_id or "-",
            tenant_rate=state.rate_limit if state is not None else None,
        )
        return access

    async def _decide(
        self, principal: Principal, *, scope: str, tenant: str, creates: bool
    ) -> Access:
        if not principal.has_scope(scope):
            raise Forbidden(f"this request needs the scope {scope}")
        state = await self.tenants.get(tenant)
        if principal.member_of(tenant):
            if state is None:
                if self.disabled and creates:
                    await self.tenants.ensure(tenant)
                    return Access(principal, tenant, principal.entity_types)
                raise NonexistentTenant(f"tenant {tenant!r} does not exist")
            if not state.active:
                raise Forbidden(f"tenant {tenant} is deactivated")
            return Access(principal, tenant, principal.entity_types)
        if scope in scopes.READ_ONLY and state is not None and state.active:
            shared = await self._shared_access(principal, tenant, state.kind)
            if shared is not None:
                return shared
        raise Forbidden(f"this client may not use {scope} in tenant {tenant}")

    async def _shared_access(self, principal: Principal, tenant: str, kind: str) -> Access | None:
        if tenant == self.shared_tenant or kind == "shared":
            return Access(principal, tenant, principal.entity_types, read_only=True)
        granted: set[str] = set()
        for grant in await self.directory.grants_of(tenant):
            if (grant.grantee_client and grant.grantee_client == principal.client_id) or (
                grant.grantee_tenant
                and principal.member_of(grant.grantee_tenant)
                and ALL_TENANTS not in principal.tenants
            ):
                granted |= grant.entity_types
        if not granted:
            return None
        return Access(principal, tenant, frozenset(granted), read_only=True).restricted_to(
            principal.entity_types
        )
