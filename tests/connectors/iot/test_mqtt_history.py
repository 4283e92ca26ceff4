"""Measures over MQTT (the IoT Agent JSON connector, real Mosquitto) are recorded as temporal
history (broker/temporal); here for the MQTT app fixtures of the connector tests."""

import httpx

from tests.broker.temporal.helpers import TEMPORAL, values
from tests.connectors.helpers import add_device, add_group, device_connection, publish
from tests.mqtt import eventually


async def test_mqtt_measures_become_instances(iot: httpx.AsyncClient) -> None:
    apikey = await add_group(iot)
    device = await add_device(iot, apikey=apikey)
    url = f"{TEMPORAL}/{device['entity_name']}"

    async def counts(expected: int) -> list[int] | None:
        response = await iot.get(url, params={"attrs": "peopleCount"})
        if response.status_code != 200:
            return None
        found = values(response.json())
        return found if len(found) == expected else None

    async with device_connection() as sensor:
        await publish(sensor, f"/{apikey}/{device['device_id']}/attrs", {"peopleCount": 12})
        assert await eventually(lambda: counts(1), 10.0) == [12]
        await publish(sensor, f"/json/{apikey}/{device['device_id']}/attrs", {"peopleCount": 15})
        assert await eventually(lambda: counts(2), 10.0) == [12, 15]
    other_tenant = await iot.get(url, headers={"NGSILD-Tenant": "kawasaki"})
    assert other_tenant.status_code == 404
