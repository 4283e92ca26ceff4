"""SQL of the audit log and usage counters. Every statement names the chains (tenants) it reads
or writes; which base a repository is built on says how (broker.core.repository):

- `AuditInboxRepository`: entries waiting to be sealed, of every tenant, claimed by the sealers
  across tenants (a `Repository`, like an outbox).
- `AuditChainRepository`: one chain, that of the tenant it is bound to (`TenantBoundRepository`):
  its head, its records and its signed checkpoints.
- `AuditRepository`: reads across the chains a caller names (`tenants`, None for every chain):
  the auditor's search and the chain list of verification and checkpointing.
- `UsageRepository`: the usage counters, written in batches that span tenants and read across
  the tenants a caller names.
"""

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update

from auth.audit.entry import GENESIS
from auth.audit.filters import RecordFilter
from auth.audit.models import AuditChain, AuditCheckpoint, AuditInbox, AuditRecord, UsageCounter
from broker.core.db import upsert_insert
from broker.core.repository import Repository, TenantBoundRepository

_PAGE = 2000


def storable(value: Any) -> Any:
    """An entry PostgreSQL can hold: text (and JSONB) cannot contain NUL, which a hostile
    request path or header may carry, and one such entry would fail its whole batch. NUL is
    kept visibly, as the six characters \\u0000."""
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000") if "\x00" in value else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


class AuditInboxRepository(Repository):
    """Entries waiting to be sealed, of every tenant: sealers claim them across tenants."""

    async def add(self, entries: Sequence[dict[str, Any]]) -> None:
        if entries:
            rows = [{"entry": storable(e)} for e in entries]
            await self.session.execute(insert(AuditInbox), rows)

    async def claim(self, limit: int) -> list[tuple[int, dict[str, Any]]]:
        """Oldest unsealed entries, locked; rows another sealer holds are skipped (PostgreSQL)."""
        statement = (
            select(AuditInbox.id, AuditInbox.entry)
            .order_by(AuditInbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [(row[0], row[1]) for row in await self.session.execute(statement)]

    async def delete(self, ids: Sequence[int]) -> None:
        await self.session.execute(delete(AuditInbox).where(AuditInbox.id.in_(ids)))

    async def size(self) -> int:
        count = select(func.count()).select_from(AuditInbox)
        return int(await self.session.scalar(count) or 0)


class AuditChainRepository(TenantBoundRepository):
    """The chain of the bound tenant (`*` for calls outside any tenant)."""

    async def lock(self) -> tuple[int, str]:
        """(last seq, head hash) of the chain, locked until the transaction ends; created if new."""
        await self.session.execute(
            upsert_insert(self.session, AuditChain.__table__)
            .values(tenant_id=self.tenant, seq=0, head_hash=GENESIS)
            .on_conflict_do_nothing()
        )
        row = (
            await self.session.execute(
                select(AuditChain.seq, AuditChain.head_hash)
                .where(self.owns(AuditChain))
                .with_for_update()
            )
        ).one()
        return int(row[0]), str(row[1])

    async def append(self, rows: Sequence[dict[str, Any]], seq: int, head: str) -> None:
        """Add records (rows of this chain) and move the head to `seq` and `head`."""
        await self.session.execute(insert(AuditRecord), list(rows))
        await self.session.execute(
            update(AuditChain).where(self.owns(AuditChain)).values(seq=seq, head_hash=head)
        )

    async def records(self) -> AsyncIterator[AuditRecord]:
        """Every record of the chain in sequence order, read a page at a time."""
        after = 0
        while True:
            page = list(
                await self.session.scalars(
                    select(AuditRecord)
                    .where(self.owns(AuditRecord), AuditRecord.seq > after)
                    .order_by(AuditRecord.seq)
                    .limit(_PAGE)
                )
            )
            for record in page:
                yield record
            if len(page) < _PAGE:
                return
            after = page[-1].seq

    async def checkpoints(self) -> list[AuditCheckpoint]:
        statement = (
            select(AuditCheckpoint).where(self.owns(AuditCheckpoint)).order_by(AuditCheckpoint.seq)
        )
        return list(await self.session.scalars(statement))

    async def add_checkpoint(
        self, *, seq: int, head: str, signed_at: datetime, signature: str
    ) -> None:
        """Keep a signed checkpoint of the head at `seq` (once: a second one is ignored)."""
        values = {"seq": seq, "hash": head, "signed_at": signed_at, "signature": signature}
        await self.session.execute(
            upsert_insert(self.session, AuditCheckpoint.__table__)
            .values(tenant_id=self.tenant, **values)
            .on_conflict_do_nothing()
        )


def _conditions(where: RecordFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.tenants is not None:
        conditions.append(AuditRecord.tenant_id.in_(list(where.tenants)))
    pairs: list[tuple[Any, Any]] = [
        (AuditRecord.tenant_id, where.tenant),
        (AuditRecord.client_id, where.client),
        (AuditRecord.route, where.route),
        (AuditRecord.method, where.method),
        (AuditRecord.status, where.status),
        (AuditRecord.kind, where.kind),
    ]
    conditions += [column == value for column, value in pairs if value is not None]
    if where.since is not None:
        conditions.append(AuditRecord.recorded_at >= where.since)
    if where.until is not None:
        conditions.append(AuditRecord.recorded_at < where.until)
    return conditions


_ORDER = (AuditRecord.recorded_at, AuditRecord.tenant_id, AuditRecord.seq)


class AuditRepository(Repository):
    """Reads across chains: each statement filters by the tenants the caller names (None: the
    caller, a principal of every tenant or the sealer, may read every chain)."""

    async def chains(self, tenants: Iterable[str] | None) -> list[AuditChain]:
        statement = select(AuditChain).order_by(AuditChain.tenant_id)
        if tenants is not None:
            statement = statement.where(AuditChain.tenant_id.in_(list(tenants)))
        return list(await self.session.scalars(statement))

    async def last_checkpoints(self) -> dict[str, int]:
        """The sequence number of each chain's last checkpoint, of every chain."""
        statement = select(AuditCheckpoint.tenant_id, func.max(AuditCheckpoint.seq)).group_by(
            AuditCheckpoint.tenant_id
        )
        return {row[0]: int(row[1]) for row in await self.session.execute(statement)}

    async def search(
        self, where: RecordFilter, *, limit: int | None, offset: int = 0
    ) -> AsyncIterator[AuditRecord]:
        """Matching records in time order; `limit` None streams them all, a page at a time."""
        conditions = _conditions(where)
        after: tuple[datetime, str, int] | None = None
        remaining = limit
        skip = offset
        while remaining is None or remaining > 0:
            size = _PAGE if remaining is None else min(_PAGE, remaining)
            statement = select(AuditRecord).where(*conditions).order_by(*_ORDER).limit(size)
            if after is not None:
                statement = statement.where(_after(*after))
            elif skip:
                statement = statement.offset(skip)
            page = list(await self.session.scalars(statement))
            for record in page:
                yield record
            if len(page) < size:
                return
            if remaining is not None:
                remaining -= len(page)
            last = page[-1]
            after = (last.recorded_at, last.tenant_id, last.seq)


def _after(at: datetime, tenant: str, seq: int) -> ColumnElement[bool]:
    """Records past (at, tenant, seq) in the search order: the next page's keyset condition."""
    return or_(
        AuditRecord.recorded_at > at,
        and_(AuditRecord.recorded_at == at, AuditRecord.tenant_id > tenant),
        and_(
            AuditRecord.recorded_at == at,
            AuditRecord.tenant_id == tenant,
            AuditRecord.seq > seq,
        ),
    )


class UsageRepository(Repository):
    """Usage counters: written in batches that span tenants (each row names its tenant), read
    across the tenants the caller names."""

    async def add_usage(self, rows: Sequence[dict[str, Any]], *, replace: bool = False) -> None:
        """Add to usage counters (or, with replace, set them: gauges like entities stored)."""
        if not rows:
            return
        statement = upsert_insert(self.session, UsageCounter.__table__)
        excluded = statement.excluded.value
        value = excluded if replace else UsageCounter.value + excluded
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "client_id", "day", "metric"], set_={"value": value}
            ),
            list(rows),
        )

    async def usage(
        self,
        *,
        tenants: Sequence[str] | None,
        tenant: str | None,
        client: str | None,
        since: date | None,
        until: date | None,
    ) -> list[UsageCounter]:
        statement = select(UsageCounter).order_by(
            UsageCounter.tenant_id, UsageCounter.client_id, UsageCounter.day, UsageCounter.metric
        )
        if tenants is not None:
            statement = statement.where(UsageCounter.tenant_id.in_(list(tenants)))
        if tenant is not None:
            statement = statement.where(UsageCounter.tenant_id == tenant)
        if client is not None:
            statement = statement.where(UsageCounter.client_id == client)
        if since is not None:
            statement = statement.where(UsageCounter.day >= since)
        if until is not None:
            statement = statement.where(UsageCounter.day <= until)
        return list(await self.session.scalars(statement))
