"""What a temporal retrieval selects (clauses 4.11, 6.18.3.1, 6.19.3.1), parsed and checked,
free of any SQL: the time interval on one time property, lastN, the attributes, and the
aggregation (clause 4.5.19)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from broker.core import datetimes
from broker.core.errors import BadRequestData

TIMERELS = ("before", "after", "between")
TIME_PROPERTIES = ("observedAt", "createdAt", "modifiedAt", "deletedAt")
AGGREGATION_METHODS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
# Instances returned per attribute (and dataset) in one response; past it: 206 and Content-Range.
MAX_INSTANCES = 1000


@dataclass(frozen=True, slots=True)
class TimeInterval:
    """timerel on the time property: before = [.., timeAt), after = [timeAt, ..),
    between = [timeAt, endTimeAt). None of them: the whole history."""

    timerel: str | None = None
    time_at: datetime | None = None
    end_time_at: datetime | None = None
    timeproperty: str = "observedAt"

    @property
    def start(self) -> datetime | None:
        return self.time_at if self.timerel in ("after", "between") else None

    @property
    def end(self) -> datetime | None:
        if self.timerel == "before":
            return self.time_at
        return self.end_time_at if self.timerel == "between" else None


@dataclass(frozen=True, slots=True)
class Aggregation:
    methods: tuple[str, ...]
    period: timedelta | None  # None: one period over the whole interval


@dataclass(frozen=True, slots=True)
class TemporalQuery:
    interval: TimeInterval
    last_n: int | None = None
    attrs: frozenset[str] | None = None  # expanded attribute IRIs; None: every attribute
    aggregation: Aggregation | None = None


def _datetime(value: str, name: str) -> datetime:
    try:
        return datetimes.parse_datetime(value)
    except datetimes.NotADateTime as exc:
        raise BadRequestData(f"{name}: {exc}") from exc


def time_interval(
    timerel: str | None, time_at: str | None, end_time_at: str | None, timeproperty: str | None
) -> TimeInterval:
    """Clause 4.11: timeAt with every timerel, endTimeAt with between only (400 otherwise)."""
    prop = timeproperty or "observedAt"
    if prop not in TIME_PROPERTIES:
        raise BadRequestData(f"timeproperty must be one of {', '.join(TIME_PROPERTIES)}")
    if timerel is None:
        if time_at is not None or end_time_at is not None:
            raise BadRequestData("timeAt and endTimeAt need timerel")
        return TimeInterval(timeproperty=prop)
    if timerel not in TIMERELS:
        raise BadRequestData(f"timerel must be one of {', '.join(TIMERELS)}")
    if time_at is None:
        raise BadRequestData(f"timerel={timerel} needs timeAt")
    start = _datetime(time_at, "timeAt")
    end = None
    if timerel == "between":
        if end_time_at is None:
            raise BadRequestData("timerel=between needs endTimeAt")
        end = _datetime(end_time_at, "endTimeAt")
        if end <= start:
            raise BadRequestData("endTimeAt must be after timeAt")
    elif end_time_at is not None:
        raise BadRequestData("endTimeAt is only allowed with timerel=between")
    return TimeInterval(timerel, start, end, prop)


def last_n(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_INSTANCES:
        raise BadRequestData(f"lastN must be between 1 and {MAX_INSTANCES}")
    return value


# ISO 8601 durations of a fixed length: weeks, days, hours, minutes, seconds (no months, years).
_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def duration(value: str) -> timedelta:
    """An aggrPeriodDuration of fixed length (PT1H, P1D, P1W, PT15M ...)."""
    found = _DURATION.match(value)
    if found is None or value in ("P", "PT") or value.endswith("T"):
        raise BadRequestData(
            f"aggrPeriodDuration {value!r} is not an ISO 8601 duration of weeks, days, hours, "
            "minutes or seconds (months and years have no fixed length)"
        )
    parts = {k: float(v) for k, v in found.groupdict().items() if v is not None}
    period = timedelta(**parts)
    if period.total_seconds() < 1:
        raise BadRequestData("aggrPeriodDuration must be at least one second")
    return period


def aggregation(methods: list[str], period: str | None) -> Aggregation:
    if not methods:
        raise BadRequestData("options=aggregatedValues needs aggrMethods")
    unknown = [m for m in methods if m not in AGGREGATION_METHODS]
    if unknown:
        raise BadRequestData(
            f"unknown aggrMethods {unknown}; allowed: {', '.join(AGGREGATION_METHODS)}"
        )
    return Aggregation(tuple(dict.fromkeys(methods)), duration(period) if period else None)


def temporal_q(value: Any) -> TimeInterval | None:
    """The temporalQ member of a Query body (clause 5.2.23): timerel, timeAt, endTimeAt and
    timeproperty, read and checked as the query parameters of the same names."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequestData("temporalQ must be an object")
    unknown = sorted(set(value) - {"timerel", "timeAt", "endTimeAt", "timeproperty"})
    if unknown:
        raise BadRequestData(f"temporalQ has unknown members {unknown}")
    for key, member in value.items():
        if not isinstance(member, str):
            raise BadRequestData(f"temporalQ {key} must be a string")
    return time_interval(
        value.get("timerel"), value.get("timeAt"), value.get("endTimeAt"), value.get("timeproperty")
    )
