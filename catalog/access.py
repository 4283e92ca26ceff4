"""Who calls the catalog, and what they may see and change.

The catalog is open data: a caller without a token is anonymous and reads every public, active
dataset. A token (the CKAN way, `Authorization: <token>`, or `Authorization: Bearer <token>`)
makes the caller a principal; what it may do in an organization is the access auth's guard
grants in that tenant (organization = tenant): a member's `catalog:read` to see its private,
draft and deleted datasets, `catalog:write` to publish. The decision is auth's; this module only
asks.
"""

from dataclasses import dataclass, field

from auth import scopes
from auth.guard import Guard
from auth.principals import Access, Principal
from broker.core.errors import NgsiLdError
from catalog.errors import NotAuthorized


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which datasets a listing or search returns besides the public ones: the private ones
    of the tenants in `private_of`, or of every tenant. Drafts and deleted ones never."""

    every_tenant: bool = False
    private_of: frozenset[str] = field(default_factory=frozenset)

    @property
    def public_only(self) -> bool:
        return not self.every_tenant and not self.private_of

    def covers(self, tenant: str) -> bool:
        return self.every_tenant or tenant in self.private_of


PUBLIC = Visibility()


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal | None
    guard: Guard

    @property
    def anonymous(self) -> bool:
        return self.principal is None

    @property
    def user_id(self) -> str:
        if self.principal is None:
            return ""
        return self.principal.client_id or self.principal.subject

    def visibility(self, *, include_private: bool) -> Visibility:
        """What a listing or search may show: private datasets only when asked for, and only
        those of the tenants the caller reads the catalog of as a member."""
        principal = self.principal
        if not include_private or principal is None:
            return PUBLIC
        if not principal.has_scope(scopes.CATALOG_READ):
            return PUBLIC
        if principal.all_tenants:
            return Visibility(every_tenant=True)
        return Visibility(private_of=frozenset(principal.tenants))

    async def access(self, tenant: str, scope: str) -> Access:
        """The access auth grants in `tenant` for `scope`; NotAuthorized otherwise."""
        if self.principal is None:
            raise NotAuthorized("Access denied: this action needs an API token")
        try:
            access = await self.guard.access(self.principal, scope=scope, tenant=tenant)
        except NgsiLdError as exc:
            raise NotAuthorized(f"Access denied: {exc.detail}") from exc
        if scope == scopes.CATALOG_WRITE and access.read_only:
            raise NotAuthorized(f"Access denied: organization {tenant} is read only for you")
        return access

    async def may(self, tenant: str, scope: str) -> bool:
        try:
            await self.access(tenant, scope)
        except NotAuthorized:
            return False
        return True

    async def may_read_hidden(self, tenant: str) -> bool:
        """Whether a private, draft or deleted dataset of `tenant` is visible to the caller: a
        member's catalog:read. Reading a tenant through the shared tenant or a sharing grant
        (read-only access, for entities) does not open its unpublished datasets."""
        try:
            access = await self.access(tenant, scopes.CATALOG_READ)
        except NotAuthorized:
            return False
        return not access.read_only
