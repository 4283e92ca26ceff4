"""Topic parsing and measure conversion (pure functions)."""

from datetime import UTC, datetime

import pytest

from connectors.iot.measures import DeviceConfig, MalformedMeasure, entity_update, mappings_of
from connectors.mqtt.topics import Topic, measures_of, parse_topic, subscriptions

NOW = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("topic", "parsed"),
    [
        ("/k1/d1/attrs", Topic("k1", "d1", "attrs")),
        ("/json/k1/d1/attrs", Topic("k1", "d1", "attrs")),
        ("/k1/d1/attrs/temp", Topic("k1", "d1", "attrs", "temp")),
        ("/json/k1/d1/attrs/temp", Topic("k1", "d1", "attrs", "temp")),
        ("/json/k1/d1/cmdexe", Topic("k1", "d1", "cmdexe")),
        ("/k1/d1/cmdexe", Topic("k1", "d1", "cmdexe")),
        ("/json/d1/attrs", Topic("json", "d1", "attrs")),
        ("/k1/d1/cmd", None),
        ("k1/d1/attrs", None),
        ("/k1//attrs", None),
    ],
)
def test_iot_agent_topics_name_apikey_device_and_kind(topic: str, parsed: Topic | None) -> None:
    assert parse_topic(topic) == parsed


def test_shared_group_prefixes_every_subscription() -> None:
    assert all(s.startswith("$share/renkei/") for s in subscriptions("renkei"))
    assert "/+/+/attrs" in subscriptions(None)


def test_single_attribute_payload_is_json_or_text() -> None:
    topic = Topic("k", "d", "attrs", "t")
    assert measures_of(topic, b"21.5") == {"t": 21.5}
    assert measures_of(topic, b"warm") == {"t": "warm"}
    with pytest.raises(MalformedMeasure):
        measures_of(Topic("k", "d", "attrs"), b'"just a string"')


def _config(**overrides: object) -> DeviceConfig:
    values: dict[str, object] = {
        "tenant": "t",
        "device_id": "d",
        "entity_id": "urn:ngsi-ld:Thing:d",
        "entity_type": "Thing",
        "mappings": mappings_of(
            [{"object_id": "t", "name": "temperature", "type": "Number"}],
            [{"object_id": "r", "name": "room", "type": "Relationship"}],
        ),
    }
    return DeviceConfig(**(values | overrides))  # type: ignore[arg-type]


def test_mapped_measures_get_names_and_types_and_explicit_attrs_drops_others() -> None:
    update = entity_update(_config(), {"t": "21.5", "r": "urn:ngsi-ld:Room:1", "x": 1}, NOW)
    assert update["temperature"] == {
        "type": "Property",
        "value": 21.5,
        "observedAt": "2026-11-24T00:00:00.000Z",
    }
    assert update["room"]["object"] == "urn:ngsi-ld:Room:1"
    assert update["x"]["value"] == 1
    explicit = entity_update(_config(explicit=True), {"t": 1, "x": 1}, NOW)
    assert "x" not in explicit and "temperature" in explicit


def test_unconvertible_values_and_timestamps_are_malformed() -> None:
    with pytest.raises(MalformedMeasure):
        entity_update(_config(), {"t": "warm"}, NOW)
    with pytest.raises(MalformedMeasure):
        entity_update(_config(), {"TimeInstant": "yesterday"}, NOW)
