"""What goes to and comes from devices outside MQTT subscriptions: measures over HTTP
(`POST /iot/json?k=<apikey>&i=<device_id>`) and commands published to `/<apikey>/<id>/cmd`."""

from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

import broker.entities.batch.service as batch
from auth.principals import Access
from broker.core.errors import BadRequestData, OperationNotSupported
from broker.jsonld.context import Context
from connectors.iot import errors
from connectors.iot.directory import GroupConfig, GroupDirectory, device_config
from connectors.iot.ingestion import Ingestion, Reading
from connectors.iot.measures import MalformedMeasure, command_pending, parse_time
from connectors.iot.repository import IotRepository
from connectors.mqtt.connection import MqttConnection
from connectors.mqtt.topics import command_topic

HTTP_RESOURCE = "/iot/json"


def _payload(body: bytes) -> Any:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_payload(f"the body is not JSON: {exc}") from exc
    if isinstance(value, dict) or (
        isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
    ):
        return value
    raise errors.bad_payload("the body must be a JSON object of measures or an array of them")


async def ingest_http(
    ingestion: Ingestion,
    directory: GroupDirectory,
    *,
    apikey: str,
    device_id: str,
    body: bytes,
    timestamp: str | None,
) -> None:
    """Store one HTTP request's measures (the API key is the device's credential)."""
    group = await directory.by_apikey(apikey)
    if group is None:
        ingestion.stats.count("unknownApikeys")
        raise errors.group_not_found(apikey, HTTP_RESOURCE)
    payload = _payload(body)
    arrival = datetime.now(UTC)
    if timestamp is not None:
        try:
            arrival = parse_time(timestamp)
        except MalformedMeasure as exc:
            raise errors.bad_payload(str(exc)) from exc
    reading = Reading(group, device_id, payload, arrival, source=HTTP_RESOURCE)
    outcome = await ingestion.store([reading], channel="HTTP")
    if outcome["unknownDevices"]:
        raise errors.device_not_found(device_id)
    if outcome["malformed"]:
        raise errors.bad_payload("the measures could not be converted (see the server log)")


async def _group(repo: IotRepository, apikey: str | None) -> GroupConfig | None:
    if apikey is None:
        return None
    groups = await repo.groups_with(apikey)
    return GroupConfig.of(groups[0]) if groups else None


async def send_command(
    session: AsyncSession,
    access: Access,
    *,
    device_id: str,
    body: Any,
    connection: MqttConnection | None,
    context: Context,
) -> None:
    """Publish `{"<command>": <value>}` to the device's cmd topic (QoS 1, once the broker has
    it) and set `<command>_status` to PENDING; the device's cmdexe reply sets OK and `_info`."""
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequestData('a command is a JSON object with one member: {"<command>": value}')
    repo = IotRepository(session, access.tenant)
    device = (await repo.devices_by_id([device_id])).get(device_id)
    if device is None:
        raise errors.device_not_found(device_id)
    config = device_config(await _group(repo, device.apikey), device)
    ((command, value),) = body.items()
    if command not in config.commands:
        raise BadRequestData(f"device {device_id} has no command {command!r}")
    if device.transport == "HTTP":
        raise OperationNotSupported("commands are sent over MQTT; this device uses HTTP")
    if connection is None or not connection.connected or device.apikey is None:
        raise errors.MqttUnavailable("commands need the MQTT connection (RENKEI_MQTT_ENABLED)")
    pending = command_pending(config, command, datetime.now(UTC))
    result = await batch.upsert(session, access, items=[pending], contexts=[context], replace=False)
    if result.errors:
        raise result.errors[0][1]
    await connection.publish(
        command_topic(device.apikey, device_id), orjson.dumps({command: value}), qos=1
    )
