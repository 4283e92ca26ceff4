"""The v2 <-> LD mapping (docs/ngsi-v2.md, "Mapping"): what v2 writes reads back as written."""

from typing import Any

import pytest

from broker.core.errors import BadRequestData
from broker.v2 import mapping


def round_trip(entity: dict[str, Any]) -> dict[str, Any]:
    return mapping.from_ld_entity(mapping.to_ld_entity(entity))


def test_non_uri_id_becomes_a_urn_of_its_type_and_reads_back() -> None:
    ld = mapping.to_ld_entity({"id": "Room1", "type": "Room"})
    assert ld["id"] == "urn:ngsi-ld:Room:Room1"
    assert mapping.from_ld_entity(ld)["id"] == "Room1"


def test_uri_id_is_kept() -> None:
    ld = mapping.to_ld_entity({"id": "urn:x:1", "type": "Room"})
    assert ld["id"] == "urn:x:1"
    assert mapping.from_ld_entity(ld)["id"] == "urn:x:1"


def test_default_type_is_thing() -> None:
    assert mapping.to_ld_entity({"id": "E1"})["type"] == "Thing"


@pytest.mark.parametrize(
    "attr",
    [
        {"type": "Number", "value": 21.5, "metadata": {}},
        {"type": "Text", "value": "dry", "metadata": {}},
        {"type": "Boolean", "value": True, "metadata": {}},
        {"type": "StructuredValue", "value": {"a": [1, 2]}, "metadata": {}},
        {"type": "Float", "value": 1.0, "metadata": {}},
        {"type": "DateTime", "value": "2026-11-22T09:00:00.000Z", "metadata": {}},
        {
            "type": "geo:json",
            "value": {"type": "Point", "coordinates": [139.6, 35.4]},
            "metadata": {},
        },
        {"type": "Relationship", "value": "urn:ngsi-ld:Building:b1", "metadata": {}},
        {
            "type": "Number",
            "value": 3,
            "metadata": {
                "accuracy": {"type": "Number", "value": 0.5},
                "TimeInstant": {"type": "DateTime", "value": "2026-11-22T09:00:00Z"},
            },
        },
    ],
)
def test_attribute_reads_back_as_written(attr: dict[str, Any]) -> None:
    assert round_trip({"id": "E", "type": "T", "a": attr})["a"] == attr


def test_time_instant_metadata_is_observed_at() -> None:
    ld = mapping.to_ld_attributes(
        {"t": {"value": 1, "metadata": {"TimeInstant": {"value": "2026-11-22T09:00:00Z"}}}}
    )
    assert ld["t"]["observedAt"] == "2026-11-22T09:00:00Z"


def test_metadata_is_a_sub_property() -> None:
    ld = mapping.to_ld_attributes({"t": {"value": 1, "metadata": {"acc": {"value": 0.1}}}})
    assert ld["t"]["acc"] == {"type": "Property", "value": 0.1}


def test_geo_point_is_a_geo_property_with_lon_lat_and_reads_back() -> None:
    ld = mapping.to_ld_attributes({"location": {"type": "geo:point", "value": "35.46, 139.62"}})
    assert ld["location"]["type"] == "GeoProperty"
    assert ld["location"]["value"] == {"type": "Point", "coordinates": [139.62, 35.46]}
    back = mapping.from_ld_attribute("location", ld["location"])
    assert back["type"] == "geo:point" and back["value"] == "35.46, 139.62"


def test_ref_attribute_is_a_relationship_to_the_named_type() -> None:
    ld = mapping.to_ld_attributes({"refBuilding": {"type": "Text", "value": "b1"}})
    assert ld["refBuilding"] == {"type": "Relationship", "object": "urn:ngsi-ld:Building:b1"}
    assert mapping.from_ld_attribute("refBuilding", ld["refBuilding"])["value"] == "b1"


def test_key_values_infer_orion_types() -> None:
    ld = mapping.to_ld_entity({"id": "E", "type": "T", "n": 1, "s": "x"}, key_values=True)
    back = mapping.from_ld_entity(ld)
    assert back["n"]["type"] == "Number" and back["s"]["type"] == "Text"
    assert "v2type" not in ld["n"]


def test_ld_entity_written_natively_reads_as_v2() -> None:
    ld = {
        "id": "urn:ngsi-ld:Room:r9",
        "type": "Room",
        "temperature": {"type": "Property", "value": 20, "unitCode": "CEL"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}},
    }
    v2 = mapping.from_ld_entity(ld)
    assert v2["id"] == "r9"
    assert v2["temperature"] == {
        "type": "Number",
        "value": 20,
        "metadata": {"unitCode": {"type": "Text", "value": "CEL"}},
    }
    assert v2["location"]["type"] == "geo:json"


@pytest.mark.parametrize("bad", ["a b", "a;b", "a(b)", "a<b", "", "x" * 257])
def test_forbidden_characters_in_names_are_bad_request(bad: str) -> None:
    with pytest.raises(BadRequestData):
        mapping.to_ld_entity({"id": "E", "type": "T", bad: 1}, key_values=True)


def test_null_value_is_refused() -> None:
    with pytest.raises(BadRequestData):
        mapping.to_ld_attributes({"a": {"value": None}})
