"""The FIWARE IoT Agent (its real library, iotagent-node-lib, in NGSI-LD mode) as a client of
Renkei, as municipalities that already run one use it: a service group and a CrowdFlowObserved
people counter provisioned on the agent's north port, measures over MQTT and over its HTTP
southbound, and the entity read back from Renkei's NGSI-LD API. Every request the agent makes
is recorded at Renkei's door; none may be redirected or refused."""

import logging
from typing import Any

import httpx
import orjson
import pytest

from broker.core.logs import ACCESS_LOGGER
from tests.connectors.helpers import device_connection, publish
from tests.interop.conftest import (
    CORE_CONTEXT,
    SERVICE_HEADERS,
    TENANT,
    Agent,
    Exchange,
    Renkei,
)
from tests.mqtt import eventually, unique

ENTITY_TYPE = "CrowdFlowObserved"
# The people counter's short measure keys and the CrowdFlowObserved attributes they map to.
COUNTER_ATTRIBUTES = [
    {"object_id": "c", "name": "peopleCount", "type": "Integer"},
    {"object_id": "o", "name": "occupancy", "type": "Number"},
    {"object_id": "g", "name": "congested", "type": "Boolean"},
    {"object_id": "d", "name": "direction", "type": "Text"},
    {"object_id": "f", "name": "dateObservedFrom", "type": "DateTime"},
    {"object_id": "p", "name": "position", "type": "geo:point"},
]
# Where the counter stands and what it is, sent by the agent with every measure.
LOCATION = {"type": "Point", "coordinates": [139.6983, 35.5308]}
COUNTER_STATIC = [
    {"name": "location", "type": "geo:json", "value": LOCATION},
    {"name": "refDevice", "type": "Relationship", "value": "urn:ngsi-ld:Device:kawasaki-gate-1"},
]


async def provision_counter(agent: Agent, apikey: str, **device: Any) -> tuple[str, str]:
    """One people counter of the service group, through the agent's provisioning API;
    returns (device id, entity id)."""
    device_id = unique("counter")
    entity_id = f"urn:ngsi-ld:{ENTITY_TYPE}:{device_id}"
    counter = {
        "device_id": device_id,
        "entity_name": entity_id,
        "entity_type": ENTITY_TYPE,
        "apikey": apikey,
        "transport": "MQTT",
        "attributes": COUNTER_ATTRIBUTES,
        "static_attributes": COUNTER_STATIC,
    } | device
    async with httpx.AsyncClient(base_url=agent.north, headers=SERVICE_HEADERS) as north:
        made = await north.post("/iot/devices", json={"devices": [counter]})
    assert made.status_code == 201, made.text
    return device_id, entity_id


async def entity_once(
    renkei: Renkei, token: str, entity_id: str, agent: Agent, **expected: Any
) -> dict[str, Any]:
    """The entity read from Renkei once its attributes hold the `expected` values."""
    headers = {"Authorization": f"Bearer {token}", "NGSILD-Tenant": TENANT}
    seen: list[Any] = []

    async def check() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=renkei.url, headers=headers) as http:
            response = await http.get(f"/ngsi-ld/v1/entities/{entity_id}")
        seen[:] = [response.status_code, response.text]
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        values = {name: body.get(name, {}).get("value") for name in expected}
        return body if values == expected else None

    try:
        return await eventually(check, within=15)
    except AssertionError as missing:
        raise AssertionError(f"{seen}\n{diagnosis(renkei, agent)}") from missing


def diagnosis(renkei: Renkei, agent: Agent) -> str:
    sent = "\n".join(str(e) for e in renkei.recorder.from_agent())
    return f"requests of the agent:\n{sent}\nagent output:\n{agent.output()}"


def refused(exchange: Exchange) -> bool:
    """Not a success: a status other than 2xx, or a batch result (207) with errors."""
    if not 200 <= exchange.status < 300:
        return True
    return exchange.status == 207 and bool(orjson.loads(exchange.answer).get("errors"))


def answered_well(renkei: Renkei, agent: Agent, since: int) -> list[Exchange]:
    """The agent's requests since `since`, after checking that none was redirected or
    refused."""
    sent = renkei.recorder.from_agent(since)
    assert sent, diagnosis(renkei, agent)
    assert not any(refused(e) for e in sent), diagnosis(renkei, agent)
    return sent


async def test_measure_published_over_mqtt_is_in_the_entity(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey)
    async with device_connection() as sensor:
        await publish(sensor, f"/json/{apikey}/{device_id}/attrs", {"c": 12, "o": 0.4, "g": False})
    entity = await entity_once(
        renkei, agent_token, entity_id, agent, peopleCount=12, occupancy=0.4, congested=False
    )
    assert entity["type"] == ENTITY_TYPE
    assert entity["peopleCount"]["type"] == "Property"
    assert entity["location"] == {"type": "GeoProperty", "value": LOCATION}
    assert entity["refDevice"] == {
        "type": "Relationship",
        "object": "urn:ngsi-ld:Device:kawasaki-gate-1",
    }
    answered_well(renkei, agent, start)


async def test_measure_on_the_topic_without_the_json_prefix_is_in_the_entity(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey)
    async with device_connection() as sensor:
        await publish(sensor, f"/{apikey}/{device_id}/attrs", {"c": 3, "d": "inbound"})
    await entity_once(renkei, agent_token, entity_id, agent, peopleCount=3, direction="inbound")
    answered_well(renkei, agent, start)


async def test_measure_posted_to_the_http_southbound_is_in_the_entity(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey, transport="HTTP")
    async with httpx.AsyncClient(base_url=agent.south) as south:
        sent = await south.post(
            "/iot/json", params={"k": apikey, "i": device_id}, json={"c": 41, "g": True}
        )
    # the agent answers the device only after Renkei has answered the agent
    assert sent.status_code == 200, f"{sent.text}\n{diagnosis(renkei, agent)}"
    await entity_once(renkei, agent_token, entity_id, agent, peopleCount=41, congested=True)
    answered_well(renkei, agent, start)


async def test_a_device_not_provisioned_is_provisioned_by_its_group_on_its_first_measure(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    """Autoprovisioning: the group's API key and entity type name the entity
    urn:ngsi-ld:<type>:<device id>; the measure keys are the attribute names."""
    start = len(renkei.recorder.exchanges)
    device_id = unique("auto")
    entity_id = f"urn:ngsi-ld:{ENTITY_TYPE}:{device_id}"
    async with device_connection() as sensor:
        await publish(sensor, f"/json/{service_group}/{device_id}/attrs", {"peopleCount": 7})
    entity = await entity_once(renkei, agent_token, entity_id, agent, peopleCount=7)
    assert entity["type"] == ENTITY_TYPE
    answered_well(renkei, agent, start)


async def test_time_instant_of_a_measure_is_the_observed_at_of_its_attributes(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey, timestamp=True)
    observed = "2026-12-03T09:15:00.000Z"
    async with device_connection() as sensor:
        await publish(
            sensor,
            f"/json/{apikey}/{device_id}/attrs",
            {"c": 30, "o": 0.9, "TimeInstant": observed},
        )
    entity = await entity_once(renkei, agent_token, entity_id, agent, peopleCount=30, occupancy=0.9)
    assert entity["peopleCount"]["observedAt"] == observed
    assert entity["occupancy"]["observedAt"] == observed
    answered_well(renkei, agent, start)


async def test_date_time_and_geo_point_measures_keep_their_meaning(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    """In NGSI-LD mode the agent reads a geo:point measure as "longitude,latitude" (GeoJSON
    order) and sends a GeoProperty; a DateTime measure as an ISO 8601 string."""
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey)
    async with device_connection() as sensor:
        await publish(
            sensor,
            f"/json/{apikey}/{device_id}/attrs",
            {"c": 2, "f": "2026-12-03T09:00:00Z", "p": "139.7005,35.5313"},
        )
    entity = await entity_once(
        renkei,
        agent_token,
        entity_id,
        agent,
        peopleCount=2,
        dateObservedFrom="2026-12-03T09:00:00.000Z",
    )
    assert entity["position"] == {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [139.7005, 35.5313]},
    }
    answered_well(renkei, agent, start)


async def test_a_measure_renkei_refuses_is_seen_as_refused(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    """A geo:point sent as "latitude,longitude" (the NGSI-v2 habit) is a latitude out of range:
    Renkei answers the batch 207 with the entity's BadRequestData, and stores nothing."""
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey)
    async with device_connection() as sensor:
        await publish(
            sensor, f"/json/{apikey}/{device_id}/attrs", {"c": 4, "p": "35.5313,139.7005"}
        )

    async def answered() -> list[Exchange]:
        return [e for e in renkei.recorder.from_agent(start) if e.status]

    [upsert] = await eventually(answered, within=15)
    assert refused(upsert), diagnosis(renkei, agent)
    [error] = orjson.loads(upsert.answer)["errors"]
    assert error["entityId"] == entity_id
    assert error["error"]["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    headers = {"Authorization": f"Bearer {agent_token}", "NGSILD-Tenant": TENANT}
    async with httpx.AsyncClient(base_url=renkei.url, headers=headers) as http:
        assert (await http.get(f"/ngsi-ld/v1/entities/{entity_id}")).status_code == 404


async def test_measures_in_sequence_update_the_entity_in_place(
    agent: Agent, renkei: Renkei, agent_token: str, service_group: str
) -> None:
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey, timestamp=True)
    topic = f"/json/{apikey}/{device_id}/attrs"
    async with device_connection() as sensor:
        for count, minute in ((5, "00"), (8, "05"), (13, "10")):
            observed = f"2026-12-03T10:{minute}:00.000Z"
            await publish(sensor, topic, {"c": count, "TimeInstant": observed})
            entity = await entity_once(renkei, agent_token, entity_id, agent, peopleCount=count)
            assert entity["peopleCount"]["observedAt"] == observed
        await publish(sensor, topic, {"d": "outbound"})
    entity = await entity_once(
        renkei, agent_token, entity_id, agent, peopleCount=13, direction="outbound"
    )
    # an update of some attributes leaves the others as they were
    assert entity["peopleCount"]["observedAt"] == "2026-12-03T10:10:00.000Z"
    assert len(answered_well(renkei, agent, start)) == 4


async def test_agent_requests_reach_renkei_as_sent_and_are_answered_without_redirect(
    agent: Agent,
    renkei: Renkei,
    agent_token: str,
    service_group: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The agent sends each measure as a batch upsert to `/entityOperations/upsert/` (trailing
    slash) with `options=update`, the tenant in NGSILD-Tenant and Fiware-Service, its token as
    a bearer token and the @context in the body; Renkei answers it 2xx at once (never a 307
    that would cost a round trip per measure)."""
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    start = len(renkei.recorder.exchanges)
    apikey = service_group
    device_id, entity_id = await provision_counter(agent, apikey)
    async with device_connection() as sensor:
        await publish(sensor, f"/json/{apikey}/{device_id}/attrs", {"c": 1})
    await entity_once(renkei, agent_token, entity_id, agent, peopleCount=1)
    [upsert] = answered_well(renkei, agent, start)
    # Renkei's own access log: one line for it, a 2xx, with the tenant
    logged = [r for r in caplog.records if r.name == ACCESS_LOGGER and r.method == "POST"]
    assert [(r.path, r.status // 100, r.tenant) for r in logged] == [
        ("/ngsi-ld/v1/entityOperations/upsert", 2, TENANT)
    ], diagnosis(renkei, agent)
    assert (upsert.method, upsert.path, upsert.query) == (
        "POST",
        "/ngsi-ld/v1/entityOperations/upsert/",
        "options=update",
    )
    assert upsert.headers["ngsild-tenant"] == TENANT
    assert upsert.headers["authorization"] == f"Bearer {agent_token}"
    assert upsert.headers["content-type"].startswith("application/ld+json")
    assert [e["id"] for e in upsert.body] == [entity_id]
    assert upsert.body[0]["@context"] == CORE_CONTEXT
    assert orjson.dumps(upsert.body[0]["peopleCount"]) == orjson.dumps(
        {"type": "Property", "value": 1}
    )
