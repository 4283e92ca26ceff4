"""SQL of the audit log. Every statement names the chains (tenants) it reads or writes."""

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.entry import GENESIS
from auth.audit.models import AuditChain, AuditCheckpoint, AuditInbox, AuditRecord, UsageCounter
from broker.core.db import upsert_insert

_PAGE = 2000


async def inbox_add(session: AsyncSession, entries: Sequence[dict[str, Any]]) -> None:
    if entries:
        await session.execute(insert(AuditInbox), [{"entry": e} for e in entries])


async def inbox_claim(session: AsyncSession, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Oldest unsealed entries, locked; rows another sealer holds are skipped (PostgreSQL)."""
    statement = (
        select(AuditInbox.id, AuditInbox.entry)
        .order_by(AuditInbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(row[0], row[1]) for row in await session.execute(statement)]


async def inbox_delete(session: AsyncSession, ids: Sequence[int]) -> None:
    await session.execute(delete(AuditInbox).where(AuditInbox.id.in_(ids)))


async def inbox_size(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditInbox)) or 0)


async def lock_chain(session: AsyncSession, tenant: str) -> tuple[int, str]:
    """(last seq, head hash) of a chain, locked until the transaction ends; created if new."""
    await session.execute(
        upsert_insert(session, AuditChain.__table__)
        .values(tenant_id=tenant, seq=0, head_hash=GENESIS)
        .on_conflict_do_nothing()
    )
    row = (
        await session.execute(
            select(AuditChain.seq, AuditChain.head_hash)
            .where(AuditChain.tenant_id == tenant)
            .with_for_update()
        )
    ).one()
    return int(row[0]), str(row[1])


async def append(
    session: AsyncSession, tenant: str, rows: Sequence[dict[str, Any]], seq: int, head: str
) -> None:
    await session.execute(insert(AuditRecord), list(rows))
    await session.execute(
        update(AuditChain).where(AuditChain.tenant_id == tenant).values(seq=seq, head_hash=head)
    )


async def chains(session: AsyncSession, tenants: Iterable[str] | None) -> list[AuditChain]:
    statement = select(AuditChain).order_by(AuditChain.tenant_id)
    if tenants is not None:
        statement = statement.where(AuditChain.tenant_id.in_(list(tenants)))
    return list(await session.scalars(statement))


async def chain_records(session: AsyncSession, tenant: str) -> AsyncIterator[AuditRecord]:
    """Every record of a chain in sequence order, read a page at a time."""
    after = 0
    while True:
        page = list(
            await session.scalars(
                select(AuditRecord)
                .where(AuditRecord.tenant_id == tenant, AuditRecord.seq > after)
                .order_by(AuditRecord.seq)
                .limit(_PAGE)
            )
        )
        for record in page:
            yield record
        if len(page) < _PAGE:
            return
        after = page[-1].seq


async def checkpoints(session: AsyncSession, tenant: str) -> list[AuditCheckpoint]:
    statement = (
        select(AuditCheckpoint)
        .where(AuditCheckpoint.tenant_id == tenant)
        .order_by(AuditCheckpoint.seq)
    )
    return list(await session.scalars(statement))


async def last_checkpoints(session: AsyncSession) -> dict[str, int]:
    statement = select(AuditCheckpoint.tenant_id, func.max(AuditCheckpoint.seq)).group_by(
        AuditCheckpoint.tenant_id
    )
    return {row[0]: int(row[1]) for row in await session.execute(statement)}


async def add_checkpoint(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(
        upsert_insert(session, AuditCheckpoint.__table__).values(**row).on_conflict_do_nothing()
    )


@dataclass(frozen=True)
class RecordFilter:
    tenants: Sequence[str] | None  # None: every chain
    tenant: str | None = None
    client: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    route: str | None = None
    method: str | None = None
    status: int | None = None
    kind: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.tenants is not None:
            where.append(AuditRecord.tenant_id.in_(list(self.tenants)))
        pairs: list[tuple[Any, Any]] = [
            (AuditRecord.tenant_id, self.tenant),
            (AuditRecord.client_id, self.client),
            (AuditRecord.route, self.route),
            (AuditRecord.method, self.method),
            (AuditRecord.status, self.status),
            (AuditRecord.kind, self.kind),
        ]
        where += [column == value for column, value in pairs if value is not None]
        if self.since is not None:
            where.append(AuditRecord.recorded_at >= self.since)
        if self.until is not None:
            where.append(AuditRecord.recorded_at < self.until)
        return where


_ORDER = (AuditRecord.recorded_at, AuditRecord.tenant_id, AuditRecord.seq)


async def search(
    session: AsyncSession, where: RecordFilter, *, limit: int | None, offset: int = 0
) -> AsyncIterator[AuditRecord]:
    """Matching records in time order; `limit` None streams them all, a page at a time."""
    conditions = where.conditions()
    after: tuple[datetime, str, int] | None = None
    remaining = limit
    skip = offset
    while remaining is None or remaining > 0:
        size = _PAGE if remaining is None else min(_PAGE, remaining)
        statement = select(AuditRecord).where(*conditions).order_by(*_ORDER).limit(size)
        if after is not None:
            at, tenant, seq = after
            statement = statement.where(
                or_(
                    AuditRecord.recorded_at > at,
                    and_(AuditRecord.recorded_at == at, AuditRecord.tenant_id > tenant),
                    and_(
                        AuditRecord.recorded_at == at,
                        AuditRecord.tenant_id == tenant,
                        AuditRecord.seq > seq,
                    ),
                )
            )
        elif skip:
            statement = statement.offset(skip)
        page = list(await session.scalars(statement))
        for record in page:
            yield record
        if len(page) < size:
            return
        if remaining is not None:
            remaining -= len(page)
        last = page[-1]
        after = (last.recorded_at, last.tenant_id, last.seq)


async def add_usage(
    session: AsyncSession, rows: Sequence[dict[str, Any]], *, replace: bool = False
) -> None:
    """Add to usage counters (or, with replace, set them: gauges like entities stored)."""
    if not rows:
        return
    statement = upsert_insert(session, UsageCounter.__table__)
    value = statement.excluded.value if replace else UsageCounter.value + statement.excluded.value
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "client_id", "day", "metric"], set_={"value": value}
        ),
        list(rows),
    )


async def usage(
    session: AsyncSession,
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
    return list(await session.scalars(statement))
