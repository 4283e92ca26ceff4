"""Who is calling (Principal) and what one request may do in one tenant (Access)."""

from collections.abc import Iterable
from dataclasses import dataclass

from auth import scopes
from broker.core.errors import Forbidden

ALL_TENANTS = "*"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a client of this server, or a subject of an external issuer.

    ``tenants`` may hold ``*`` (every tenant: the prefecture's administrators).
    ``entity_types`` (expanded type IRIs) limits which entities the caller may see at all.
    """

    subject: str
    client_id: str | None
    scopes: frozenset[str]
    tenants: frozenset[str]
    entity_types: frozenset[str] | None = None
    issuer: str = ""

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def member_of(self, tenant: str) -> bool:
        return ALL_TENANTS in self.tenants or tenant in self.tenants

    @property
    def all_tenants(self) -> bool:
        return ALL_TENANTS in self.tenants


# Renkei's own work (device ingestion, notification delivery, the command line).
SYSTEM = Principal(
    subject="renkei",
    client_id=None,
    scopes=frozenset(scopes.SCOPES),
    tenants=frozenset({ALL_TENANTS}),
    issuer="renkei",
)


def _intersect(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


@dataclass(frozen=True, slots=True)
class Access:
    """What one request may do: its principal, the tenant it acts in, the entity types it sees.

    ``types`` None means every type. ``read_only`` is set when the tenant is reached through the
    shared tenant or a sharing grant rather than membership.
    """

    principal: Principal
    tenant: str
    types: frozenset[str] | None = None
    read_only: bool = False

    @classmethod
    def system(cls, tenant: str) -> "Access":
        return cls(principal=SYSTEM, tenant=tenant)

    def restricted_to(self, types: frozenset[str] | None) -> "Access":
        return Access(self.principal, self.tenant, _intersect(self.types, types), self.read_only)

    def sees(self, entity_types: Iterable[str]) -> bool:
        """Whether an entity of these (expanded) types is visible: any one type suffices."""
        return self.types is None or any(t in self.types for t in entity_types)

    def check_writable_types(self, entity_types: Iterable[str]) -> None:
        """A write may only give an entity types the caller is allowed: all of them."""
        if self.read_only:
            raise Forbidden(f"tenant {self.tenant} is readable, not writable, for this client")
        if self.types is None:
            return
        denied = sorted(set(entity_types) - self.types)
        if denied:
            raise Forbidden(f"this client may not write entities of type {', '.join(denied)}")
