"""The two bases every repository is built on: repositories are the only code that runs SQL.

- `Repository`: rows that belong to no tenant (tenants, clients, signing keys), or rows that
  background workers claim across tenants (outboxes, the audit inbox).
- `TenantBoundRepository`: rows of one tenant. It is bound to the tenant when it is made, and
  every statement it runs filters by `tenant`; when the caller's grant limits the entity types it
  may see, `types` holds them and the repository applies that visibility too (entity
  repositories do it in one place, `broker.entities.repository.EntityScope`).

Services make the authorization decision (which tenant, which types) and make the repository
from the caller's access with `of(session, access)`; repositories never decide what is allowed.
"""

from typing import Any, Protocol, Self

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession


class Bound(Protocol):
    """What a repository needs of a caller's access (auth.principals.Access has it)."""

    @property
    def tenant(self) -> str: ...

    @property
    def types(self) -> frozenset[str] | None: ...


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"


class TenantBoundRepository(Repository):
    def __init__(
        self, session: AsyncSession, tenant: str, *, types: frozenset[str] | None = None
    ) -> None:
        super().__init__(session)
        self.tenant = tenant
        self.types = types

    @classmethod
    def of(cls, session: AsyncSession, access: Bound) -> Self:
        """The repository of the tenant (and the entity types) an access was granted."""
        return cls(session, access.tenant, types=access.types)

    def owns(self, model: Any) -> ColumnElement[bool]:
        """The tenant filter on a model with a `tenant_id` column."""
        condition: ColumnElement[bool] = model.tenant_id == self.tenant
        return condition
