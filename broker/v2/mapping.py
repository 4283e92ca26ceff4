"""The one mapping between NGSI-v2 and NGSI-LD documents (docs/ngsi-v2.md, "Mapping").

A v2 write becomes an NGSI-LD normalized fragment, compacted with the core @context (the v2
default context): the entity services then store it exactly as an LD write, so both faces see
the same entities. A read renders the stored entity as NGSI-LD normalized with the same
context and turns it back into v2. No I/O here: the rules are tested as round trips.
"""

import re
from typing import Any

from broker.core.errors import BadRequestData
from broker.entities.attributes import is_uri

URN_PREFIX = "urn:ngsi-ld:"
# A v2 attribute type the LD form cannot show (Float, geo:point, ...) is kept in this
# sub-property, so it reads back through v2 as written.
V2_TYPE = "v2type"
TIME_INSTANT = "TimeInstant"
UNIT_CODE = "unitCode"
_LD_MEMBERS = {"type", "value", "object", "observedAt", "unitCode", "datasetId", "createdAt"}
_SKIPPED = {"createdAt", "modifiedAt", "datasetId", "instanceId"}
# Orion's forbidden characters in ids, types and names (NGSI-v2 spec, "Field syntax").
V2_NAME = re.compile(r"^[^<>\"'=;()\s&?/#]{1,256}$")
_REF = re.compile(r"^ref[A-Z]")


def check_v2_field(value: Any, what: str) -> str:
    """Ids, types and names as Orion accepts them: 1-256 characters, none of `<>"'=;()`,
    whitespace, `&?/#`."""
    if not isinstance(value, str) or not V2_NAME.match(value):
        raise BadRequestData(f"Invalid characters in {what}")
    return value


def ld_id(v2_id: str, v2_type: str) -> str:
    """The LD id of a v2 id: a URI stays as it is, any other becomes urn:ngsi-ld:<type>:<id>."""
    if is_uri(v2_id):
        return v2_id
    return f"{URN_PREFIX}{v2_type}:{v2_id}"


def v2_id(ld_entity_id: str, ld_type: str) -> str:
    """The v2 id of an LD id: urn:ngsi-ld:<type>:<rest> of the entity's own type reads back as
    <rest>, every other id as it is."""
    prefix = f"{URN_PREFIX}{ld_type}:"
    if ld_entity_id.startswith(prefix) and len(ld_entity_id) > len(prefix):
        return ld_entity_id[len(prefix) :]
    return ld_entity_id


def _ref_target(name: str) -> str | None:
    """refBuilding points at Buildings: the type whose URN a bare object id gets."""
    return name[3:] if _REF.match(name) else None


def _inferred_type(value: Any) -> str:
    """The v2 type Orion gives a value written without one (keyValues, or no `type`)."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "Text"
    if value is None:
        return "None"
    return "StructuredValue"


def _geo_point(value: Any) -> dict[str, Any]:
    """geo:point "lat, lon" (v2) as a GeoJSON Point [lon, lat]."""
    try:
        lat, lon = (float(part) for part in str(value).split(","))
    except ValueError as exc:
        raise BadRequestData(f"geo:point must be 'latitude, longitude', got {value!r}") from exc
    return {"type": "Point", "coordinates": [lon, lat]}


def _ld_value(name: str, v2_type: str, value: Any) -> dict[str, Any]:
    """The LD attribute (without metadata) of a v2 type and value."""
    if value is None:
        raise BadRequestData(f"attribute {name}: null values are not supported")
    if v2_type == "Relationship" or (_ref_target(name) and isinstance(value, str)):
        if not isinstance(value, str):
            raise BadRequestData(f"attribute {name}: a Relationship value is an entity id")
        target = _ref_target(name)
        if not is_uri(value) and target is None:
            raise BadRequestData(f"attribute {name}: a Relationship value must be a URI")
        return {"type": "Relationship", "object": ld_id(value, target or "")}
    if v2_type == "geo:json":
        return {"type": "GeoProperty", "value": value}
    if v2_type == "geo:point":
        return {"type": "GeoProperty", "value": _geo_point(value)}
    if v2_type == "DateTime":
        return {"type": "Property", "value": {"@type": "DateTime", "@value": value}}
    return {"type": "Property", "value": value}


def _default_type(ld: dict[str, Any], name: str) -> str:
    """The v2 type an LD attribute reads back as when it holds no v2type."""
    if ld.get("type") == "Relationship":
        return "Text" if _ref_target(name) else "Relationship"
    if ld.get("type") == "GeoProperty":
        return "geo:json"
    value = ld.get("value")
    if isinstance(value, dict) and value.get("@type") == "DateTime":
        return "DateTime"
    return _inferred_type(value)


def _to_ld_attribute(name: str, attr: Any, *, key_values: bool) -> dict[str, Any]:
    if key_values or not isinstance(attr, dict):
        attr = {"value": attr}
    if "value" not in attr:
        raise BadRequestData(f"attribute {name} must have a value")
    value = attr["value"]
    v2_type = attr.get("type") or _inferred_type(value)
    check_v2_field(v2_type, f"the type of attribute {name}")
    ld = _ld_value(name, v2_type, value)
    if _default_type(ld, name) != v2_type:
        ld[V2_TYPE] = {"type": "Property", "value": v2_type}
    metadata = attr.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadRequestData(f"the metadata of attribute {name} must be an object")
    for meta_name, meta in metadata.items():
        check_v2_field(meta_name, "metadata name")
        if not isinstance(meta, dict) or "value" not in meta:
            raise BadRequestData(f"metadata {meta_name} of {name} must have a value")
        if meta_name == TIME_INSTANT:
            ld["observedAt"] = meta["value"]
        elif meta_name == UNIT_CODE and isinstance(meta["value"], str):
            ld["unitCode"] = meta["value"]
        else:
            ld[meta_name] = _to_ld_attribute(meta_name, meta, key_values=False)
    return ld


def to_ld_attributes(attrs: dict[str, Any], *, key_values: bool = False) -> dict[str, Any]:
    """v2 attributes (normalized, or keyValues) as an LD fragment."""
    if not isinstance(attrs, dict):
        raise BadRequestData("attributes must be a JSON object")
    out = {}
    for name, attr in attrs.items():
        check_v2_field(name, "attribute name")
        out[name] = _to_ld_attribute(name, attr, key_values=key_values)
    return out


def merged_attributes(attrs: Any, current: dict[str, Any], *, key_values: bool) -> dict[str, Any]:
    """An update's attributes over the entity's (v2 form), as Orion applies them: an
    attribute given without a type keeps its type, and its metadata are added to the ones it
    has."""
    if not isinstance(attrs, dict):
        raise BadRequestData("attributes must be a JSON object")
    out = {}
    for name, attr in attrs.items():
        given = {"value": attr} if key_values or not isinstance(attr, dict) else dict(attr)
        existing = current.get(name)
        if isinstance(existing, dict) and name not in ("id", "type"):
            given.setdefault("type", existing["type"])
            given["metadata"] = {**existing.get("metadata", {}), **(given.get("metadata") or {})}
        out[name] = given
    return out


def to_ld_entity(entity: Any, *, key_values: bool = False) -> dict[str, Any]:
    """A v2 entity as an LD entity; Orion's default type is Thing."""
    if not isinstance(entity, dict):
        raise BadRequestData("the entity must be a JSON object")
    if "id" not in entity:
        raise BadRequestData("entity id is missing")
    entity_id = (
        check_v2_field(entity["id"], "entity id") if not is_uri(entity["id"]) else entity["id"]
    )
    entity_type = check_v2_field(entity.get("type", "Thing"), "entity type")
    attrs = {k: v for k, v in entity.items() if k not in ("id", "type")}
    return {
        "id": ld_id(entity_id, entity_type),
        "type": entity_type,
        **to_ld_attributes(attrs, key_values=key_values),
    }


def _v2_value(name: str, ld: dict[str, Any], v2_type: str) -> Any:
    if ld.get("type") == "Relationship":
        target = _ref_target(name)
        return v2_id(str(ld.get("object")), target) if target else ld.get("object")
    value = ld.get("value")
    if v2_type == "geo:point" and isinstance(value, dict) and value.get("type") == "Point":
        lon, lat = value["coordinates"][:2]
        return f"{lat}, {lon}"
    if isinstance(value, dict) and value.get("@type") == "DateTime":
        return value.get("@value")
    return value


def from_ld_attribute(name: str, ld: Any) -> dict[str, Any]:
    """An LD normalized attribute (its first instance) as a v2 attribute with metadata."""
    if isinstance(ld, list):
        ld = ld[0]
    v2_type = _default_type(ld, name)
    metadata: dict[str, Any] = {}
    for key, sub in ld.items():
        if key == V2_TYPE and isinstance(sub, dict):
            v2_type = str(sub.get("value"))
        elif key == "observedAt":
            metadata[TIME_INSTANT] = {"type": "DateTime", "value": sub}
        elif key == "unitCode":
            metadata[UNIT_CODE] = {"type": "Text", "value": sub}
        elif key not in _LD_MEMBERS and key not in _SKIPPED and isinstance(sub, dict | list):
            metadata[key] = from_ld_attribute(key, sub)
    for meta in metadata.values():
        meta.setdefault("metadata", {})
        if not meta["metadata"]:
            del meta["metadata"]
    return {"type": v2_type, "value": _v2_value(name, ld, v2_type), "metadata": metadata}


def from_ld_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """An LD normalized entity (compacted with the core context) as a v2 entity."""
    types = entity["type"]
    entity_type = types[0] if isinstance(types, list) else types
    out: dict[str, Any] = {"id": v2_id(entity["id"], entity_type), "type": entity_type}
    for name, attr in entity.items():
        if name not in ("id", "type", "scope", "@context", "createdAt", "modifiedAt"):
            out[name] = from_ld_attribute(name, attr)
    return out


def key_values(entity: dict[str, Any]) -> dict[str, Any]:
    """A v2 entity in keyValues form."""
    return {
        k: (v["value"] if isinstance(v, dict) and k not in ("id", "type") else v)
        for k, v in entity.items()
    }


def values(entity: dict[str, Any], attrs: list[str]) -> list[Any]:
    """A v2 entity in values form: its attribute values, in the order of `attrs` if given."""
    names = attrs or [k for k in entity if k not in ("id", "type")]
    return [entity[n]["value"] for n in names if n in entity and n not in ("id", "type")]


def strip_metadata(attr: dict[str, Any], keep: list[str]) -> dict[str, Any]:
    """The attribute with only the metadata `keep` names (`metadata=` of Orion; `*`: all)."""
    if "*" in keep:
        return attr
    return {**attr, "metadata": {k: v for k, v in attr["metadata"].items() if k in keep}}
