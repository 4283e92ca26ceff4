"""IoT Agent JSON topics: which device a message is from and what it carries.

/<apikey>/<device_id>/attrs               a JSON object of measures, or an array of them
/<apikey>/<device_id>/attrs/<attribute>   one measure: the payload is its value
/<apikey>/<device_id>/cmdexe              command results {"<command>": <result>}
/json/<apikey>/<device_id>/...            the same, with the protocol prefix
/<apikey>/<device_id>/cmd                 (out) commands to the device {"<command>": <value>}
"""

from dataclasses import dataclass
from typing import Any

import orjson

from connectors.iot.measures import MalformedMeasure

SUBSCRIPTIONS = (
    "/+/+/attrs",
    "/+/+/attrs/+",
    "/+/+/cmdexe",
    "/json/+/+/attrs",
    "/json/+/+/attrs/+",
    "/json/+/+/cmdexe",
)


@dataclass(frozen=True, slots=True)
class Topic:
    apikey: str
    device_id: str
    kind: str  # "attrs" or "cmdexe"
    attribute: str | None = None


def parse_topic(topic: str) -> Topic | None:
    """The device topic `topic` is, or None if it is none of the IoT Agent JSON forms."""
    levels = topic.split("/")
    if not levels or levels[0] != "":
        return None
    levels = levels[1:]
    if len(levels) >= 4 and levels[0] == "json" and levels[3] in ("attrs", "cmdexe"):
        levels = levels[1:]
    if len(levels) == 3 and levels[2] in ("attrs", "cmdexe"):
        apikey, device_id, kind = levels
        attribute = None
    elif len(levels) == 4 and levels[2] == "attrs" and levels[3]:
        apikey, device_id, kind, attribute = levels
    else:
        return None
    if not apikey or not device_id:
        return None
    return Topic(apikey, device_id, kind, attribute)


def subscriptions(shared_group: str | None) -> list[str]:
    if not shared_group:
        return list(SUBSCRIPTIONS)
    return [f"$share/{shared_group}/{s}" for s in SUBSCRIPTIONS]


def command_topic(apikey: str, device_id: str) -> str:
    return f"/{apikey}/{device_id}/cmd"


def _json(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise MalformedMeasure(f"not JSON: {exc}") from exc


def measures_of(topic: Topic, payload: bytes) -> Any:
    """The reading a payload carries: measures (object or array), or command results."""
    if topic.attribute is not None:
        try:
            value = orjson.loads(payload)
        except orjson.JSONDecodeError:
            value = payload.decode("utf-8", errors="replace")
        return {topic.attribute: value}
    value = _json(payload)
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    raise MalformedMeasure("the payload must be a JSON object of measures or an array of them")
