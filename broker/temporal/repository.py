"""The only code that reads and writes attribute instances; every statement filtered by tenant.

Instances are read per entity in time order; lastN and the cap of instances per attribute are
a window function (ROW_NUMBER) in SQL, aggregations are GROUP BY over time buckets, on both
stores.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    BigInteger,
    CursorResult,
    Table,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from broker.core.db import JSONDocument
from broker.core.repository import TenantBoundRepository
from broker.entities.attributes import VALUE_MEMBER
from broker.temporal.models import AttributeInstance
from broker.temporal.selection import Aggregation, TemporalQuery, TimeInterval

_CHUNK = 500  # entity ids per IN (...) list, rows per multi-row INSERT
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Instance = AttributeInstance
_table = typed(Table, AttributeInstance.__table__)


@dataclass(frozen=True, slots=True)
class InstanceRow:
    entity_id: str
    attribute: str
    dataset_id: str
    instance_id: str
    entity_types: list[str]
    observed_at: datetime | None
    created_at: datetime
    modified_at: datetime
    deleted_at: datetime | None
    document: dict[str, Any]

    def time(self, timeproperty: str) -> datetime:
        """The instance's time property, else the time it was recorded."""
        chosen = {
            "observedAt": self.observed_at,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "deletedAt": self.deleted_at,
        }[timeproperty]
        return chosen or self.created_at


@dataclass(frozen=True, slots=True)
class Bucket:
    """The aggregates of one attribute (and dataset) over one period."""

    entity_id: str
    attribute: str
    dataset_id: str
    index: int | None  # period number from the origin; None: the whole interval
    count: int
    numbers: int  # instances with a numeric value: what sum, avg ... are over
    distinct: int
    total: float | None
    average: float | None
    low: float | None
    high: float | None
    squares: float | None
    first: datetime
    last: datetime


_ROW_COLUMNS = (
    Instance.entity_id,
    Instance.attribute,
    Instance.dataset_id,
    Instance.instance_id,
    Instance.entity_types,
    Instance.observed_at,
    Instance.created_at,
    Instance.modified_at,
    Instance.deleted_at,
    Instance.document,
)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _time(timeproperty: str) -> Any:
    return {
        "observedAt": Instance.observed_at,
        "createdAt": Instance.created_at,
        "modifiedAt": Instance.modified_at,
        "deletedAt": Instance.deleted_at,
    }[timeproperty]


def _instant(timeproperty: str) -> Any:
    """The time an instance is ordered and bucketed by: its time property, else recorded."""
    return func.coalesce(_time(timeproperty), Instance.created_at)


class TemporalRepository(TenantBoundRepository):
    async def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append instances (column dicts without tenant_id) to the tenant's history: a Core
        INSERT, as ORM bulk inserts cost ten times as much inside a busy unit of work."""
        for chunk in _chunks(rows):
            await self.session.execute(
                insert(_table), [{"tenant_id": self.tenant, **row} for row in chunk]
            )

    async def entity_types(self, entity_id: str) -> list[str] | None:
        """The entity's types as its latest recorded instance has them; None: no history."""
        statement = (
            select(Instance.entity_types)
            .where(self.owns(Instance), Instance.entity_id == entity_id)
            # not by id alone: PostgreSQL would walk the primary key back over every tenant
            .order_by(Instance.created_at.desc(), Instance.id.desc())
            .limit(1)
        )
        found: list[str] | None = await self.session.scalar(statement)
        return found

    async def instance(
        self, entity_id: str, attribute: str, instance_id: str
    ) -> InstanceRow | None:
        """One instance, locked for its modification."""
        statement = (
            select(*_ROW_COLUMNS)
            .where(
                self.owns(Instance),
                Instance.entity_id == entity_id,
                Instance.attribute == attribute,
                Instance.instance_id == instance_id,
            )
            .with_for_update()
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else InstanceRow(*row)

    async def rewrite(
        self, entity_id: str, attribute: str, instance_id: str, columns: dict[str, Any]
    ) -> None:
        """Replace the content of one instance (5.6.15 Modify Attribute Instance)."""
        await self.session.execute(
            update(_table)
            .where(
                _table.c.tenant_id == self.tenant,
                _table.c.entity_id == entity_id,
                _table.c.attribute == attribute,
                _table.c.instance_id == instance_id,
            )
            .values(**columns)
        )

    async def remove(
        self,
        entity_id: str,
        *,
        attribute: str | None = None,
        dataset_id: str | None = None,
        instance_id: str | None = None,
    ) -> int:
        """Delete an entity's instances: all, one attribute's (of one dataset, or of every
        dataset when dataset_id is None), or one instance; how many were deleted."""
        where = [_table.c.tenant_id == self.tenant, _table.c.entity_id == entity_id]
        if attribute is not None:
            where.append(_table.c.attribute == attribute)
        if dataset_id is not None:
            where.append(_table.c.dataset_id == dataset_id)
        if instance_id is not None:
            where.append(_table.c.instance_id == instance_id)
        result = await self.session.execute(delete(_table).where(*where))
        return typed(CursorResult[Any], result).rowcount

    def _conditions(
        self, entity_ids: Sequence[str], query: TemporalQuery
    ) -> list[ColumnElement[bool]]:
        where = [self.owns(Instance), Instance.entity_id.in_(list(entity_ids))]
        if query.attrs is not None:
            where.append(Instance.attribute.in_(sorted(query.attrs)))
        where += _in_interval(query.interval)
        return where

    async def instances(
        self, entity_ids: Sequence[str], query: TemporalQuery, *, most: int
    ) -> list[InstanceRow]:
        """Instances of these entities in the interval, per entity, attribute and dataset in
        time order: the last `query.last_n`, else the first `most` (callers ask one more to
        learn whether the history was cut)."""
        instant = _instant(query.interval.timeproperty)
        newest_first = query.last_n is not None
        order = (instant.desc(), Instance.id.desc()) if newest_first else (instant, Instance.id)
        rank = (
            func.row_number()
            .over(
                partition_by=(Instance.entity_id, Instance.attribute, Instance.dataset_id),
                order_by=order,
            )
            .label("rank")
        )
        keep = query.last_n if newest_first else most
        rows: list[InstanceRow] = []
        for chunk in _chunks(list(dict.fromkeys(entity_ids))):
            # rank narrow rows, then read the documents of those kept only
            ranked = (
                select(Instance.id, instant.label("instant"), rank)
                .where(*self._conditions(chunk, query))
                .subquery()
            )
            statement = (
                select(*_ROW_COLUMNS)
                .join(ranked, ranked.c.id == Instance.id)
                .where(ranked.c.rank <= keep)
                .order_by(
                    Instance.entity_id,
                    Instance.attribute,
                    Instance.dataset_id,
                    ranked.c.instant,
                    Instance.id,
                )
            )
            result = await self.session.execute(statement)
            rows += [InstanceRow(*row) for row in result]
        return rows

    async def aggregate(
        self, entity_ids: Sequence[str], query: TemporalQuery, aggregation: Aggregation
    ) -> list[Bucket]:
        """Aggregates per entity, attribute, dataset and period, computed in SQL."""
        instant = _instant(query.interval.timeproperty)
        bucket = self._bucket(instant, query.interval, aggregation)
        number = Instance.number
        # COUNT(DISTINCT value) reads every document: only when asked for
        distinct = (
            func.count(self._value().distinct())
            if "distinctCount" in aggregation.methods
            else literal(0)
        )
        columns = (
            Instance.entity_id,
            Instance.attribute,
            Instance.dataset_id,
            bucket.label("bucket"),
            func.count(),
            func.count(number),
            distinct,
            func.sum(number),
            func.avg(number),
            func.min(number),
            func.max(number),
            func.sum(number * number),
            func.min(instant),
            func.max(instant),
        )
        buckets: list[Bucket] = []
        for chunk in _chunks(list(dict.fromkeys(entity_ids))):
            statement = (
                select(*columns)
                .where(*self._conditions(chunk, query), Instance.deleted_at.is_(None))
                .group_by(Instance.entity_id, Instance.attribute, Instance.dataset_id, bucket)
                .order_by(Instance.entity_id, Instance.attribute, Instance.dataset_id, bucket)
            )
            for row in await self.session.execute(statement):
                buckets.append(_bucket_of(row, timed=aggregation.period is not None))
        return buckets

    def _bucket(self, instant: Any, interval: TimeInterval, aggregation: Aggregation) -> Any:
        """The period number of an instance: whole periods since the origin (the interval's
        start, else the Unix epoch, so P1D periods start at midnight UTC)."""
        if aggregation.period is None:
            return literal(0)
        seconds = int(aggregation.period.total_seconds())
        origin = int(((interval.start or _EPOCH) - _EPOCH).total_seconds())
        if self.postgres:
            epoch = cast(func.floor(func.extract("epoch", instant)), BigInteger)
        else:
            epoch = cast(func.strftime("%s", instant), BigInteger)
        return (epoch - origin) // seconds  # never negative: nothing before the origin

    def _value(self) -> Any:
        """The instance's value member, whichever its attribute type (for distinctCount)."""
        members = sorted(set(VALUE_MEMBER.values()))
        if self.postgres:
            document = type_coerce(Instance.document, JSONDocument)
            return func.coalesce(*(document.op("->")(m) for m in members))
        return func.coalesce(*(func.json_extract(Instance.document, f"$.{m}") for m in members))


def _in_interval(interval: TimeInterval) -> list[ColumnElement[bool]]:
    time = _time(interval.timeproperty)
    where: list[ColumnElement[bool]] = []
    if interval.timerel is None:
        return where
    if interval.start is not None:
        where.append(time >= interval.start)
    if interval.end is not None:
        where.append(time < interval.end)
    return [and_(time.is_not(None), *where)]


def _bucket_of(row: Sequence[Any], *, timed: bool) -> Bucket:
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    first, last = row[12], row[13]
    if isinstance(first, str):  # SQLite returns MIN/MAX of a COALESCE as text
        first, last = _parse_stored(first), _parse_stored(last)
    return Bucket(
        entity_id=row[0],
        attribute=row[1],
        dataset_id=row[2],
        index=int(row[3]) if timed else None,
        count=int(row[4]),
        numbers=int(row[5]),
        distinct=int(row[6]),
        total=number(row[7]),
        average=number(row[8]),
        low=number(row[9]),
        high=number(row[10]),
        squares=number(row[11]),
        first=first,
        last=last,
    )


def _parse_stored(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
