"""Aggregated temporal representation (clause 4.5.19): options=aggregatedValues with
aggrMethods per aggrPeriodDuration, computed in SQL on both stores."""

import math

import httpx
import pytest

from tests.broker.entities.helpers import headers
from tests.broker.temporal.helpers import TEMPORAL, history, sensor_with_counts

COUNTS = [
    (10, "2026-11-22T09:00:00Z"),
    (20, "2026-11-22T09:30:00Z"),
    (30, "2026-11-22T10:00:00Z"),
    (30, "2026-11-22T10:15:00Z"),
    (50, "2026-11-22T11:00:00Z"),
]
H9, H10, H11, H12 = (f"2026-11-22T{h:02}:00:00.000000Z" for h in (9, 10, 11, 12))
METHODS = "totalCount,distinctCount,sum,avg,min,max,stddev,sumsq"


async def _aggregated(client: httpx.AsyncClient, **params: str) -> dict[str, object]:
    entity = await history(
        client, options="aggregatedValues", attrs="peopleCount", aggrMethods=METHODS, **params
    )
    return entity["peopleCount"]  # type: ignore[no-any-return]


async def test_hourly_aggregates_of_every_method(client: httpx.AsyncClient) -> None:
    await sensor_with_counts(client, COUNTS)
    found = await _aggregated(client, aggrPeriodDuration="PT1H")
    assert found["type"] == "Property"
    assert found["totalCount"] == [[2, H9, H10], [2, H10, H11], [1, H11, H12]]
    assert found["distinctCount"] == [[2, H9, H10], [1, H10, H11], [1, H11, H12]]
    assert found["sum"] == [[30.0, H9, H10], [60.0, H10, H11], [50.0, H11, H12]]
    assert found["avg"] == [[15.0, H9, H10], [30.0, H10, H11], [50.0, H11, H12]]
    assert found["min"] == [[10.0, H9, H10], [30.0, H10, H11], [50.0, H11, H12]]
    assert found["max"] == [[20.0, H9, H10], [30.0, H10, H11], [50.0, H11, H12]]
    assert found["sumsq"] == [[500.0, H9, H10], [1800.0, H10, H11], [2500.0, H11, H12]]
    deviations = [value for value, _, _ in found["stddev"]]  # type: ignore[attr-defined]
    assert deviations[0] == pytest.approx(math.sqrt(50))
    assert deviations[1:] == [0.0, 0.0]


async def test_periods_start_at_time_at_and_end_at_end_time_at(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, COUNTS)
    found = await _aggregated(
        client,
        timerel="between",
        timeAt="2026-11-22T09:15:00Z",
        endTimeAt="2026-11-22T11:00:00Z",
        aggrPeriodDuration="PT1H",
    )
    assert found["sum"] == [
        [50.0, "2026-11-22T09:15:00.000000Z", "2026-11-22T10:15:00.000000Z"],
        [30.0, "2026-11-22T10:15:00.000000Z", "2026-11-22T11:00:00.000000Z"],
    ]


async def test_without_a_period_the_whole_interval_is_one_period(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, COUNTS)
    found = await _aggregated(client, timerel="after", timeAt="2026-11-22T09:30:00Z")
    assert found["totalCount"] == [[4, "2026-11-22T09:30:00.000000Z", H11]]
    assert found["avg"] == [[32.5, "2026-11-22T09:30:00.000000Z", H11]]


async def test_daily_sums_over_several_sensors_in_a_query(client: httpx.AsyncClient) -> None:
    for n in (1, 2):
        await sensor_with_counts(
            client,
            [(n, "2026-11-22T09:00:00Z"), (n, "2026-11-23T09:00:00Z")],
            entity_id=f"urn:ngsi-ld:CrowdFlowObserved:s{n}",
        )
    response = await client.get(
        TEMPORAL,
        params={
            "type": "CrowdFlowObserved",
            "attrs": "peopleCount",
            "options": "aggregatedValues",
            "aggrMethods": "sum",
            "aggrPeriodDuration": "P1D",
        },
        headers=headers(),
    )
    assert response.status_code == 200, response.text
    sums = {e["id"]: [v for v, _, _ in e["peopleCount"]["sum"]] for e in response.json()}
    assert sums == {
        "urn:ngsi-ld:CrowdFlowObserved:s1": [1.0, 1.0],
        "urn:ngsi-ld:CrowdFlowObserved:s2": [2.0, 2.0],
    }
    first = response.json()[0]["peopleCount"]["sum"][0]
    assert first[1:] == ["2026-11-22T00:00:00.000000Z", "2026-11-23T00:00:00.000000Z"]
