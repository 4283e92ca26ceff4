"""Who may do what in the catalog (the rules; the guard decides tenants and scopes).

- Anyone, without a token, reads active public datasets, organizations, groups and licenses.
- Private, draft and deleted datasets are read by members of the owning tenant holding
  catalog:read.
- Writes need catalog:write as a member of the owning tenant (the organization's tenant).
"""

from dataclasses import dataclass

from auth import scopes
from auth.guard import Guard
from auth.principals import Access, Principal
from broker.core.errors import Forbidden, NonexistentTenant
from catalog.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of a catalog request: a principal (None: anonymous) and how to decide its
    access. `granted` is an access already decided by `auth.dependencies.require`
    (catalog:write in one tenant), for callers outside the CKAN API such as importers."""

    principal: Principal | None
    guard: Guard | None = None
    granted: Access | None = None

    @classmethod
    def with_access(cls, access: Access) -> "Actor":
        return cls(access.principal, granted=access)

    @property
    def anonymous(self) -> bool:
        return self.principal is None

    async def write_access(self, tenant: str) -> Access:
        """catalog:write in `tenant`, or Forbidden (ValidationFailed if no such organization)."""
        if self.granted is not None:
            if self.granted.tenant != tenant or self.granted.read_only:
                raise Forbidden(f"this client may not publish in organization {tenant}")
            return self.granted
        if self.principal is None or self.guard is None:
            raise Forbidden("Access denied: publishing in the catalog needs an API token")
        try:
            return await self.guard.access(
                self.principal, scope=scopes.CATALOG_WRITE, tenant=tenant
            )
        except NonexistentTenant as exc:
            raise ValidationFailed.of("owner_org", "Organization does not exist") from exc

    def reads_private(self, tenant: str) -> bool:
        """Whether the caller sees the tenant's private, draft and deleted datasets."""
        principal = self.principal
        if principal is None:
            return False
        if self.granted is not None:
            return self.granted.tenant == tenant and not self.granted.read_only
        return principal.has_scope(scopes.CATALOG_READ) and principal.member_of(tenant)

    def private_tenants(self) -> frozenset[str] | None:
        """Tenants whose private datasets the caller sees; None: every tenant."""
        principal = self.principal
        if principal is None:
            return frozenset()
        if self.granted is not None:
            granted = self.granted
            return frozenset() if granted.read_only else frozenset({granted.tenant})
        if not principal.has_scope(scopes.CATALOG_READ):
            return frozenset()
        return None if principal.all_tenants else principal.tenants
