"""The one ISO 8601 date-time parser (broker/core/datetimes.py) every input path uses."""

from datetime import UTC, datetime

import pytest

from broker.core.datetimes import NotADateTime, parse_datetime


def test_utc_designator_and_offsets_give_the_same_instant_in_utc() -> None:
    expected = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    assert parse_datetime("2026-11-22T00:00:00Z") == expected
    assert parse_datetime("2026-11-22T09:00:00+09:00") == expected
    assert parse_datetime("2026-11-22T09:00:00+09:00").tzinfo is UTC


def test_a_date_time_without_offset_is_taken_as_utc() -> None:
    assert parse_datetime("2026-11-22T09:00:00.250") == datetime(
        2026, 11, 22, 9, 0, 0, 250000, tzinfo=UTC
    )


@pytest.mark.parametrize("value", ["2026-11-22", "yesterday", "2026-13-01T00:00:00Z", 1700000000])
def test_bare_dates_non_strings_and_garbage_are_refused(value: object) -> None:
    with pytest.raises(NotADateTime):
        parse_datetime(value)
