"""The only code that reads and writes context source registrations.

- `RegistrationRepository`: the registrations of one tenant; every statement carries the
  tenant filter of its base.
- `SharedRegistrations`: the one read across tenants. Registrations of the prefecture's shared
  tenant (a tenant of kind `shared`) also serve a tenant, or a client, that holds a sharing
  grant of it, for the entity types granted. The grants are auth's rows
  (auth/grants/models.py); broker may not import auth's models, so the three columns read here
  are named in a lightweight table clause, read-only.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import column, delete, func, insert, or_, select, table, update

from broker.core.db import JSONDocument, UTCDateTime, changed, upsert_insert
from broker.core.models import Tenant
from broker.core.repository import Repository, TenantBoundRepository
from broker.registrations.models import CSourceSubscription, Registration
from broker.subscriptions.models import OutboxRow
from broker.subscriptions.repository import SubscriptionRows, delivery_counters

_grants = table(
    "sharing_grants",
    column("tenant_id"),
    column("grantee_tenant"),
    column("grantee_client"),
    column("entity_types", JSONDocument),
    column("revoked_at", UTCDateTime()),
)


REGISTRATIONS_TABLE = Registration.__tablename__


def _unexpired(now: datetime) -> Any:
    return or_(Registration.expires_at.is_(None), Registration.expires_at > now)


class RegistrationRepository(TenantBoundRepository):
    def _this(self, registration_id: str) -> tuple[Any, ...]:
        return (self.owns(Registration), Registration.id == registration_id)

    async def lock(self) -> None:
        """Hold the tenant's registration lock until the transaction ends (PostgreSQL; SQLite
        write transactions are serial already): conflict checks do not race."""
        if self.postgres:
            key = func.hashtext(f"csource_registrations:{self.tenant}")
            await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def insert(self, values: dict[str, Any]) -> bool:
        """Insert a registration; False if one with that id exists in the tenant."""
        statement = (
            upsert_insert(self.session, Registration.__table__)
            .values(tenant_id=self.tenant, **values)
            .on_conflict_do_nothing()
            .returning(Registration.id)
        )
        changed(self.session, REGISTRATIONS_TABLE)
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def get(self, registration_id: str, *, for_update: bool = False) -> Registration | None:
        statement = select(Registration).where(*self._this(registration_id))
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def all(self) -> list[Registration]:
        """Every registration of the tenant, expired ones too, in id order."""
        statement = select(Registration).where(self.owns(Registration)).order_by(Registration.id)
        return list((await self.session.execute(statement)).scalars())

    async def live(self, now: datetime, *, modes: Sequence[str] = ()) -> list[Registration]:
        """The tenant's unexpired registrations (of these modes, if given), in id order."""
        statement = select(Registration).where(self.owns(Registration), _unexpired(now))
        if modes:
            statement = statement.where(Registration.mode.in_(list(modes)))
        return list((await self.session.execute(statement.order_by(Registration.id))).scalars())

    async def count(self) -> int:
        statement = select(func.count()).where(self.owns(Registration))
        return int(await self.session.scalar(statement) or 0)

    async def update(self, registration_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(Registration).where(*self._this(registration_id)).values(**values)
        )

    async def delete(self, registration_id: str) -> Registration | None:
        """Delete a registration; returns what it was."""
        found = await self.get(registration_id, for_update=True)
        if found is not None:
            await self.session.execute(delete(Registration).where(*self._this(registration_id)))
            changed(self.session, REGISTRATIONS_TABLE)
        return found

    async def record_outcome(self, registration_id: str, *, ok: bool, at: datetime) -> bool:
        """Count one request sent to the source; False if the registration is gone."""
        values: dict[str, Any] = {"times_sent": Registration.times_sent + 1}
        if ok:
            values["last_success"] = at
        else:
            values["times_failed"] = Registration.times_failed + 1
            values["last_failure"] = at
        result = await self.session.execute(
            update(Registration)
            .where(*self._this(registration_id))
            .values(**values)
            .returning(Registration.id)
        )
        return result.scalar_one_or_none() is not None


class SharedRegistrations(Repository):
    """Read across tenants on purpose: the shared tenants' registrations a grantee may use."""

    async def holders(self) -> list[str]:
        """The tenants that hold any registration, expired ones included."""
        statement = select(Registration.tenant_id).distinct()
        return list((await self.session.execute(statement)).scalars())

    async def granted(self, tenant: str, client_id: str | None) -> dict[str, frozenset[str]]:
        """The shared tenants that granted `tenant` (or the client) reads, with the entity
        types granted, by shared tenant."""
        grantee = _grants.c.grantee_tenant == tenant
        if client_id is not None:
            grantee = or_(grantee, _grants.c.grantee_client == client_id)
        statement = (
            select(_grants.c.tenant_id, _grants.c.entity_types)
            .join(Tenant, Tenant.id == _grants.c.tenant_id)
            .where(
                Tenant.kind == "shared",
                Tenant.active.is_(True),
                Tenant.id != tenant,
                _grants.c.revoked_at.is_(None),
                grantee,
            )
        )
        found: dict[str, set[str]] = {}
        for grantor, types in await self.session.execute(statement):
            found.setdefault(grantor, set()).update(types or ())
        return {grantor: frozenset(types) for grantor, types in found.items() if types}

    async def live(self, tenants: Sequence[str], now: datetime) -> list[Registration]:
        """The unexpired registrations of these tenants (their grants were checked)."""
        if not tenants:
            return []
        statement = (
            select(Registration)
            .where(Registration.tenant_id.in_(list(tenants)), _unexpired(now))
            .order_by(Registration.tenant_id, Registration.id)
        )
        return list((await self.session.execute(statement)).scalars())


class CSourceSubscriptionRepository(SubscriptionRows[CSourceSubscription]):
    """The context source registration subscriptions of one tenant and their outbox rows."""

    model = CSourceSubscription

    async def delete(self, subscription_id: str) -> bool:
        """Delete a subscription and the notifications it has not sent yet."""
        await self.session.execute(
            delete(OutboxRow).where(
                self.owns(OutboxRow),
                OutboxRow.subscription_id == subscription_id,
                OutboxRow.trigger_reason.is_not(None),
            )
        )
        result = await self.session.execute(
            delete(CSourceSubscription)
            .where(*self._this(subscription_id))
            .returning(CSourceSubscription.id)
        )
        return result.scalar_one_or_none() is not None

    async def watching(self, now: datetime) -> list[CSourceSubscription]:
        """The tenant's active, unexpired subscriptions."""
        statement = select(CSourceSubscription).where(
            self.owns(CSourceSubscription),
            CSourceSubscription.is_active.is_(True),
            or_(CSourceSubscription.expires_at.is_(None), CSourceSubscription.expires_at > now),
        )
        return list((await self.session.execute(statement)).scalars())

    async def enqueue(self, rows: list[dict[str, Any]]) -> None:
        """Add notifications to the outbox, in this transaction."""
        if rows:
            await self.session.execute(
                insert(OutboxRow), [{"tenant_id": self.tenant, **row} for row in rows]
            )

    async def count_deliveries(
        self,
        subscription_id: str,
        *,
        sent: int,
        failed: int,
        trailing_failures: int,
        last: datetime,
        last_success: datetime | None,
        last_failure: datetime | None,
    ) -> None:
        """As SubscriptionRepository.count_deliveries, for a csource subscription."""
        values = delivery_counters(
            CSourceSubscription,
            sent=sent,
            failed=failed,
            trailing_failures=trailing_failures,
            last=last,
            last_success=last_success,
            last_failure=last_failure,
        )
        await self.update(subscription_id, values)
