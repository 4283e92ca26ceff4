"""6.18.3.2 Retrieve Temporal Evolution of an Entity: timerel, timeproperty, lastN, attrs and
the temporal representations (clauses 4.5.8, 4.5.9, 4.11)."""

import httpx
import pytest

from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, assert_problem, create, headers
from tests.broker.temporal.helpers import (
    HOURS,
    TEMPORAL,
    history,
    sensor_with_counts,
    values,
)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"timerel": "before", "timeAt": "2026-11-22T10:00:00Z"}, [10]),
        ({"timerel": "after", "timeAt": "2026-11-22T10:00:00Z"}, [20, 30]),
        (
            {
                "timerel": "between",
                "timeAt": "2026-11-22T09:30:00Z",
                "endTimeAt": "2026-11-22T11:00:00Z",
            },
            [20],
        ),
        ({"timerel": "after", "timeAt": "2026-11-22T12:00:00Z"}, []),
        ({}, [10, 20, 30]),
    ],
    ids=["before", "after", "between", "after-the-last", "no-timerel"],
)
async def test_timerel_selects_instances_by_observed_at(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[int]
) -> None:
    await sensor_with_counts(client, HOURS)
    assert values(await history(client, **params)) == expected


async def test_time_at_with_an_offset_is_read_in_utc(client: httpx.AsyncClient) -> None:
    await sensor_with_counts(client, HOURS)
    entity = await history(client, timerel="before", timeAt="2026-11-22T19:30:00+09:00")
    assert values(entity) == [10, 20]


async def test_last_n_returns_the_latest_instances_in_time_order(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, HOURS)
    assert values(await history(client, lastN="2")) == [20, 30]
    entity = await history(client, lastN="1", timerel="before", timeAt="2026-11-22T11:00:00Z")
    assert values(entity) == [20]


async def test_attrs_limits_the_attributes_returned(client: httpx.AsyncClient) -> None:
    await sensor_with_counts(client, HOURS)
    entity = await history(client, attrs="peopleCount")
    assert sorted(entity) == ["id", "peopleCount", "type"]
    assert values(entity) == [10, 20, 30]


async def test_timeproperty_modified_at_selects_by_recording_time(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, HOURS)
    # observed in 2026-11, recorded now: nothing recorded before 2026-01-01, everything after
    before = await history(
        client, timeproperty="modifiedAt", timerel="before", timeAt="2026-01-01T00:00:00Z"
    )
    assert values(before) == []
    after = await history(
        client, timeproperty="createdAt", timerel="after", timeAt="2026-01-01T00:00:00Z"
    )
    assert values(after) == [10, 20, 30]
    assert values(after, "congested") == [False]  # no observedAt: found by its recorded time


async def test_attribute_without_observed_at_is_outside_observed_at_intervals(
    client: httpx.AsyncClient,
) -> None:
    await sensor_with_counts(client, HOURS)
    entity = await history(client, timerel="after", timeAt="2020-01-01T00:00:00Z")
    assert "congested" not in entity
    assert values(entity) == [10, 20, 30]


async def test_temporal_values_are_value_time_pairs(client: httpx.AsyncClient) -> None:
    await sensor_with_counts(client, HOURS)
    entity = await history(client, options="temporalValues")
    assert entity["peopleCount"] == {
        "type": "Property",
        "values": [
            # observedAt as the client wrote it, as the normalized instances show it
            [10, "2026-11-22T09:00:00Z"],
            [20, "2026-11-22T10:00:00Z"],
            [30, "2026-11-22T11:00:00Z"],
        ],
    }
    relationship = entity["refRoadSegment"]
    assert relationship["type"] == "Relationship"
    assert [pair[0] for pair in relationship["objects"]] == ["urn:ngsi-ld:RoadSegment:1"]


async def test_instances_of_each_dataset_are_kept_apart(client: httpx.AsyncClient) -> None:
    await create(client)
    towards = {
        "type": "Property",
        "value": 4,
        "datasetId": "urn:ngsi-ld:Dataset:towards",
        "observedAt": "2026-11-22T09:10:00Z",
    }
    response = await client.post(
        f"{ENTITIES}/{SENSOR_ID}/attrs", json={"peopleCount": towards}, headers=headers()
    )
    assert response.status_code == 204, response.text
    entity = await history(client, options="temporalValues", attrs="peopleCount")
    series = {s.get("datasetId", "@none"): s["values"] for s in entity["peopleCount"]}
    assert series == {
        "@none": [[120, "2026-11-22T09:00:00Z"]],
        "urn:ngsi-ld:Dataset:towards": [[4, "2026-11-22T09:10:00Z"]],
    }
    normalized = await history(client, attrs="peopleCount")
    assert [i.get("datasetId") for i in normalized["peopleCount"]] == [
        None,
        "urn:ngsi-ld:Dataset:towards",
    ]


async def test_sys_attrs_adds_created_and_modified_at(client: httpx.AsyncClient) -> None:
    await create(client)
    plain = (await history(client))["peopleCount"][0]
    assert "createdAt" not in plain and "modifiedAt" not in plain
    shown = (await history(client, options="sysAttrs"))["peopleCount"][0]
    assert shown["createdAt"].endswith("Z") and shown["modifiedAt"].endswith("Z")


async def test_response_carries_the_context_in_json_ld(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(
        f"{TEMPORAL}/{SENSOR_ID}", headers=headers(Accept="application/ld+json")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    assert "@context" in response.json()
    plain = await client.get(f"{TEMPORAL}/{SENSOR_ID}", headers=headers())
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in plain.headers["link"]


@pytest.mark.parametrize(
    "params",
    [
        {"timerel": "before"},
        {"timerel": "sometime", "timeAt": "2026-11-22T10:00:00Z"},
        {"timerel": "between", "timeAt": "2026-11-22T10:00:00Z"},
        {"timerel": "after", "timeAt": "yesterday"},
        {"timerel": "after", "timeAt": "2026-11-22"},
        {
            "timerel": "before",
            "timeAt": "2026-11-22T10:00:00Z",
            "endTimeAt": "2026-11-23T00:00:00Z",
        },
        {
            "timerel": "between",
            "timeAt": "2026-11-22T10:00:00Z",
            "endTimeAt": "2026-11-22T09:00:00Z",
        },
        {"timeAt": "2026-11-22T10:00:00Z"},
        {"timeproperty": "expiresAt"},
        {"lastN": "0"},
        {"lastN": "many"},
        {"options": "temporalValues,aggregatedValues", "aggrMethods": "sum"},
        {"options": "aggregatedValues"},
        {"options": "aggregatedValues", "aggrMethods": "median"},
        {"options": "aggregatedValues", "aggrMethods": "sum", "aggrPeriodDuration": "P1M"},
        {"options": "aggregatedValues", "aggrMethods": "sum", "aggrPeriodDuration": "1 hour"},
        {"aggrMethods": "sum"},
    ],
)
async def test_malformed_temporal_parameters_are_bad_request_data(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    await create(client)
    response = await client.get(f"{TEMPORAL}/{SENSOR_ID}", params=params, headers=headers())
    assert_problem(response, 400, "BadRequestData")


async def test_entity_without_history_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{TEMPORAL}/urn:ngsi-ld:CrowdFlowObserved:none", headers=headers())
    assert_problem(response, 404, "ResourceNotFound")
    assert_problem(
        await client.get(f"{TEMPORAL}/not-a-uri", headers=headers()), 400, "BadRequestData"
    )


async def test_entity_without_attributes_has_an_empty_history(client: httpx.AsyncClient) -> None:
    await create(client, {"id": SENSOR_ID, "type": "CrowdFlowObserved"})
    assert await history(client) == {"id": SENSOR_ID, "type": "CrowdFlowObserved"}
