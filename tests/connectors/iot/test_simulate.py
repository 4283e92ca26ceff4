"""The people-flow simulator: a daily rhythm, and measures Renkei stores as CrowdFlowObserved."""

import random
from datetime import datetime

import httpx

from connectors.simulate import TOKYO, Progress, measure, publish_people_flow, rhythm, sensors
from tests.connectors.helpers import add_group, device_connection, entity_with, value


def test_counts_follow_the_daily_rhythm_of_a_station_street() -> None:
    weekday = datetime(2026, 11, 24, tzinfo=TOKYO)  # a Tuesday
    rush, night = weekday.replace(hour=8, minute=15), weekday.replace(hour=3)
    assert rhythm(rush) > 0.9 > 0.1 > rhythm(night)
    sensor = sensors(1)[0]
    chance = random.Random(1)
    at_rush = [measure(sensor, rush, chance)["peopleCount"] for _ in range(50)]
    at_night = [measure(sensor, night, chance)["peopleCount"] for _ in range(50)]
    assert sum(at_rush) > 10 * sum(at_night)
    sample = measure(sensor, rush, chance)
    assert sample["peopleCountTowards"] + sample["peopleCountAway"] == sample["peopleCount"]
    assert sample["direction"] == "inbound"  # to the station in the morning


async def test_simulated_sensors_become_crowd_flow_observed_entities(
    iot: httpx.AsyncClient,
) -> None:
    apikey = await add_group(iot)
    reports: list[Progress] = []
    async with device_connection() as connection:
        done = await publish_people_flow(
            connection,
            apikey=apikey,
            sensor_count=3,
            rate=0,
            count=9,
            on_progress=lambda p, _s, _final=False: reports.append(p),
        )
    assert (done.sent, done.acknowledged, done.failed) == (9, 9, 0)
    assert reports
    entity = await entity_with(
        iot, "urn:ngsi-ld:CrowdFlowObserved:people-flow-00002", "peopleCount", "location"
    )
    assert isinstance(value(entity, "peopleCount"), int)
    assert entity["location"]["type"] == "GeoProperty"
    assert value(entity, "dateObservedTo")["@type"] == "DateTime"
