"""The one ISO 8601 date-time parser: attributes, subscriptions, q comparisons and device
measures all read date-times through it, so they accept and refuse the same strings."""

from datetime import UTC, datetime
from typing import Any


class NotADateTime(ValueError):
    """The value is not an ISO 8601 date-time string; the message says why."""


def parse_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time (`2026-11-22T09:00:00Z`, an offset, or none: UTC), never a bare
    date, as an aware datetime in UTC."""
    if not isinstance(value, str):
        raise NotADateTime("must be an ISO 8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise NotADateTime(f"{value!r} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None and "T" not in value:
        raise NotADateTime(f"{value!r} is a date, not a date-time")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
