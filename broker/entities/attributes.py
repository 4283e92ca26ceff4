"""Validation of NGSI-LD entities and attributes (clause 4.5), into the stored form.

Stored form of an entity's attributes: ``{attribute IRI: [instance, ...]}``. An instance keeps
the NGSI-LD core members under their core names (``type``, ``value``, ``object``, ``datasetId``,
``observedAt`` ...) and its sub-attributes under their expanded IRIs (which always contain ``:``,
so they never clash with core names). Input may be normalized or concise (clause 4.5.2).
"""

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson

from broker.core import datetimes
from broker.core.errors import BadRequestData
from broker.jsonld.context import Context

# The member of each attribute type that holds its value.
VALUE_MEMBER = {
    "Property": "value",
    "Relationship": "object",
    "GeoProperty": "value",
    "LanguageProperty": "languageMap",
    "JsonProperty": "json",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "VocabProperty": "vocab",
}
OPTIONAL_MEMBER = {
    "Property": {"unitCode"},
    "ListProperty": {"unitCode"},
    "Relationship": {"objectType"},
    "ListRelationship": {"objectType"},
}
COMMON_MEMBERS = {"type", "datasetId", "observedAt"}
SYSTEM_MEMBERS = {"createdAt", "modifiedAt", "deletedAt", "instanceId"}
# Members only a broker writes: previous* in notifications with showChanges (clause 5.8.x),
# the sealed markers only inside an ngsildproof value. A request that sends one: 400.
OUTPUT_ONLY_MEMBERS = {
    "previousValue",
    "previousObject",
    "previousObjectList",
    "previousValueList",
    "previousLanguageMap",
    "previousJson",
    "previousVocab",
    "entityIdSealed",
    "entityTypeSealed",
}
# GeoProperties by definition (clause 4.7): these names hold geometries or nothing.
GEO_NAMES = {"location", "observationSpace", "operationSpace"}
DEFAULT_DATASET = "@none"  # names the default instance (clause 4.5.5), never stored
CORE_MEMBERS = (
    set(VALUE_MEMBER.values())
    | {m for ms in OPTIONAL_MEMBER.values() for m in ms}
    | COMMON_MEMBERS
    | SYSTEM_MEMBERS
)
# Names that can never be attribute names (clause 4.5.1: core non-reified properties).
RESERVED_ATTRIBUTE_NAMES = (
    CORE_MEMBERS | OUTPUT_ONLY_MEMBERS | {"id", "type", "scope", "@context", "expiresAt", "lang"}
)
NGSI_LD_NULL = "urn:ngsi-ld:null"
GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
}
_TYPE_IRIS = {f"https://uri.etsi.org/ngsi-ld/{t}": t for t in VALUE_MEMBER}
_GEO_IRIS = {f"https://uri.etsi.org/ngsi-ld/{n}" for n in GEO_NAMES}

# A scheme, ":", then characters RFC 3987 allows in an IRI, "%" only as a percent-encoded octet.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?:[^\s<>\"{}|\\^`%]|%[0-9A-Fa-f]{2})+$")
# Clause 4.6.2: a letter, then letters, digits or "_"; optionally "prefix:name"; or an IRI.
_NAME = re.compile(r"^([^\W\d_]\w*:)?[^\W\d_]\w*$")
_LANGUAGE_TAG = re.compile(r"^(@none|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$")


# Characters no identifier may hold, though a loose URI grammar lets them through: controls
# (C0 with NUL, DEL, C1), surrogates, the noncharacters U+FDD0..U+FDEF and variation selectors.
# Format characters (category Cf: U+200B, U+202E, U+FEFF, tags ...) and U+xFFFE/U+xFFFF are
# checked in _has_hidden_characters, as they are spread over the code space.
_HIDDEN = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)


def _hidden_character(value: str) -> str | None:
    """The first character of value that an identifier may not hold, if any."""
    found = _HIDDEN.search(value)
    if found:
        return found.group()
    if value.isascii():
        return None
    return next(
        (c for c in value if (ord(c) & 0xFFFE) == 0xFFFE or unicodedata.category(c) == "Cf"),
        None,
    )


def is_uri(value: Any) -> bool:
    """An absolute URI (or IRI: non-ASCII letters are allowed) that shows as what it is.

    The one rule for identifiers (entity, subscription, datasetId, relationship object): a
    scheme, ``:``, then no space, no character RFC 3986/3987 excludes and no invisible or
    reordering character (see ``_HIDDEN``), so an id cannot pass for another when displayed.
    """
    return (
        isinstance(value, str)
        and len(value) <= 2048
        and bool(_URI.match(value))
        and _hidden_character(value) is None
    )


def check_uri(value: Any, what: str) -> str:
    if is_uri(value):
        return str(value)
    hidden = _hidden_character(value) if isinstance(value, str) else None
    if hidden is not None:
        raise BadRequestData(
            f"{what} must not hold control or invisible characters, got U+{ord(hidden):04X} "
            f"in {value!r}"
        )
    raise BadRequestData(f"{what} must be an absolute URI, got {value!r}")


def check_name(name: Any, what: str = "attribute name") -> str:
    if not isinstance(name, str) or not name or len(name) > 512:
        raise BadRequestData(f"{what} must be a non-empty string of at most 512 characters")
    if not (_NAME.match(name) or is_uri(name)):
        raise BadRequestData(
            f"{what} {name!r} is not a valid name (a letter, then letters, digits or '_'; "
            "or a prefixed name or an IRI)"
        )
    return name


def check_attribute_name(name: Any) -> str:
    check_name(name)
    if name in RESERVED_ATTRIBUTE_NAMES:
        raise BadRequestData(f"{name!r} is a reserved name and cannot be an attribute")
    return str(name)


def parse_datetime(value: Any, what: str) -> datetime:
    """An ISO 8601 date-time (not a bare date), in UTC (a naive one is taken as UTC)."""
    try:
        return datetimes.parse_datetime(value)
    except datetimes.NotADateTime as exc:
        raise BadRequestData(f"{what} {exc}") from exc


def check_datetime(value: Any, what: str, *, utc: bool = False) -> str:
    """The date-time as given; `utc`: an NGSI-LD DateTime member, which must be in UTC with
    the `Z` designator (clause 4.6.3), not with an offset or none."""
    parse_datetime(value, what)
    if utc and not str(value).endswith("Z"):
        raise BadRequestData(f"{what} must be a UTC date-time ending in Z, not {value!r}")
    return str(value)


def dataset_id_of(value: Any, what: str) -> str | None:
    """A datasetId as given in a request: None and "@none" name the default instance."""
    if value is None or value == DEFAULT_DATASET:
        return None
    return check_uri(value, what)


def check_no_null(value: Any, what: str) -> None:
    """NGSI-LD Null nested in a value: only a merge deletes with it (clause 4.5.0)."""
    if value == NGSI_LD_NULL:
        raise BadRequestData(f"{what} holds NGSI-LD Null, which only a merge may use to delete")
    if isinstance(value, dict):
        for item in value.values():
            check_no_null(item, what)
    elif isinstance(value, list):
        for item in value:
            check_no_null(item, what)


def expand_types(value: Any, context: Context, what: str = "type") -> list[str]:
    """Entity types (a name or a non-empty list of names), expanded."""
    names = value if isinstance(value, list) else [value]
    if not names:
        raise BadRequestData(f"{what} must not be empty")
    expanded = []
    for name in names:
        check_name(name, what)
        iri = context.expand(name)
        if iri not in expanded:
            expanded.append(iri)
    return expanded


def _position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and 2 <= len(value) <= 3
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in value)
    )


def _line(value: Any, minimum: int = 2) -> bool:
    return isinstance(value, list) and len(value) >= minimum and all(map(_position, value))


def _ring(value: Any) -> bool:
    """RFC 7946 §3.1.6: a closed ring of four or more positions."""
    return _line(value, 4) and value[0] == value[-1]


def _polygon(value: Any) -> bool:
    return isinstance(value, list) and len(value) >= 1 and all(map(_ring, value))


def _many(check: Any) -> Any:
    return lambda value: isinstance(value, list) and len(value) >= 1 and all(map(check, value))


_COORDINATES = {
    "Point": _position,
    "MultiPoint": _many(_position),
    "LineString": _line,
    "MultiLineString": _many(_line),
    "Polygon": _polygon,
    "MultiPolygon": _many(_polygon),
}


def _positions(value: list[Any], depth: int) -> Iterator[list[float]]:
    if depth == 0:
        yield value
    else:
        for item in value:
            yield from _positions(item, depth - 1)


_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def geometry_bounds(value: dict[str, Any]) -> tuple[float, float, float, float]:
    """Bounding box (west, south, east, north) of a validated GeoJSON geometry."""
    positions = list(_positions(value["coordinates"], _DEPTH[value["type"]]))
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return min(lons), min(lats), max(lons), max(lats)


def check_geometry(value: Any) -> tuple[float, float, float, float]:
    """Validate a GeoJSON geometry (RFC 7946) and return its bounding box."""
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise BadRequestData(
            f"GeoProperty value must be a GeoJSON geometry of type {sorted(GEOMETRY_TYPES)}"
        )
    if not _COORDINATES[value["type"]](value.get("coordinates")):
        raise BadRequestData(f"coordinates of the GeoJSON {value['type']} are malformed")
    west, south, east, north = geometry_bounds(value)
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BadRequestData("GeoJSON coordinates must be [longitude, latitude] in range")
    return west, south, east, north


def infer_type(raw: dict[str, Any]) -> str:
    """Concise representation (clause 4.5.2.2): the attribute type its members imply."""
    for attribute_type, member in VALUE_MEMBER.items():
        if member in raw and attribute_type != "GeoProperty":
            value = raw[member]
            if (
                member == "value"
                and isinstance(value, dict)
                and value.get("type") in GEOMETRY_TYPES
            ):
                return "GeoProperty"
            return attribute_type
    raise BadRequestData(
        "attribute has no type and none of value, object, languageMap, json, valueList, "
        "objectList or vocab"
    )


class AttributeParser:
    """Turns request attributes into stored instances, stamping them with `now`."""

    def __init__(self, context: Context, now: str) -> None:
        self.context = context
        self.now = now

    def attributes(self, members: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """All attributes of a request fragment, keyed by expanded name."""
        attributes: dict[str, list[dict[str, Any]]] = {}
        for name, raw in members.items():
            iri = self.context.expand(check_attribute_name(name))
            if iri in attributes:
                raise BadRequestData(f"attribute {name!r} is given twice")
            attributes[iri] = self.attribute(name, raw)
        return attributes

    def attribute(self, name: str, raw: Any) -> list[dict[str, Any]]:
        """One attribute: a single instance or a list of instances (multi-attribute)."""
        if is_multi_attribute(raw):
            instances = [self.instance(name, item) for item in raw]
        else:
            instances = [self.instance(name, raw)]
        check_dataset_ids(name, instances)
        if self.context.expand(name) in _GEO_IRIS:
            for instance in instances:
                if instance["type"] != "GeoProperty":
                    raise BadRequestData(f"{name!r} is a GeoProperty, not a {instance['type']}")
        return instances

    def instance(self, name: str, raw: Any, *, sub: bool = False) -> dict[str, Any]:
        if raw is None:
            raise BadRequestData(f"attribute {name!r} must not be null")
        if not isinstance(raw, dict) or (
            "type" not in raw and not any(m in raw for m in VALUE_MEMBER.values())
        ):
            raw = {"type": "Property", "value": raw}
        attribute_type = raw.get("type") or infer_type(raw)
        attribute_type = _TYPE_IRIS.get(attribute_type, attribute_type)
        if attribute_type not in VALUE_MEMBER:
            if attribute_type in GEOMETRY_TYPES and "coordinates" in raw:
                return self.instance(name, {"type": "GeoProperty", "value": raw}, sub=sub)
            raise BadRequestData(f"attribute {name!r} has an unknown type {attribute_type!r}")
        member = VALUE_MEMBER[attribute_type]
        if member not in raw:
            raise BadRequestData(f"{attribute_type} {name!r} needs a {member!r} member")
        instance: dict[str, Any] = {
            "type": attribute_type,
            member: self._value(attribute_type, name, raw[member]),
        }
        allowed = COMMON_MEMBERS | {member} | OPTIONAL_MEMBER.get(attribute_type, set())
        for key, value in raw.items():
            if key in allowed:
                if key == "datasetId":
                    dataset_id = dataset_id_of(value, f"datasetId of {name!r}")
                    if dataset_id is not None:
                        instance[key] = dataset_id
                elif key == "observedAt":
                    instance[key] = check_datetime(value, f"observedAt of {name!r}", utc=True)
                elif key == "unitCode":
                    if not isinstance(value, str) or not value:
                        raise BadRequestData(f"unitCode of {name!r} must be a non-empty string")
                    instance[key] = value
                elif key == "objectType":
                    types = expand_types(value, self.context, "objectType")
                    instance[key] = types if isinstance(value, list) else types[0]
            elif key in SYSTEM_MEMBERS:
                continue
            elif key in OUTPUT_ONLY_MEMBERS:
                raise BadRequestData(f"{key!r} is written by the broker, never given ({name!r})")
            elif key in CORE_MEMBERS or key in ("id", "@context", "scope"):
                raise BadRequestData(f"{key!r} is not a member of a {attribute_type} ({name!r})")
            else:
                sub_iri = self.context.expand(check_attribute_name(key))
                if sub_iri in instance:
                    raise BadRequestData(f"sub-attribute {key!r} of {name!r} is given twice")
                if is_multi_attribute(value):
                    raise BadRequestData(f"sub-attribute {key!r} of {name!r} must be one object")
                instance[sub_iri] = self.instance(key, value, sub=True)
        instance["createdAt"] = self.now
        instance["modifiedAt"] = self.now
        return instance

    def _value(self, attribute_type: str, name: str, value: Any) -> Any:
        if value is None or value == NGSI_LD_NULL or value == [NGSI_LD_NULL]:
            raise BadRequestData(
                f"the value of {attribute_type} {name!r} must not be null here "
                "(NGSI-LD Null deletes only in updates and merges)"
            )
        if attribute_type == "Relationship":
            objects = value if isinstance(value, list) else [value]
            if not objects:
                raise BadRequestData(f"Relationship {name!r} needs at least one object")
            for obj in objects:
                check_uri(obj, f"object of Relationship {name!r}")
        elif attribute_type == "GeoProperty":
            if isinstance(value, str):  # a geometry may be sent JSON-encoded in a string
                with contextlib.suppress(orjson.JSONDecodeError):
                    value = orjson.loads(value)
            check_geometry(value)
        elif attribute_type == "LanguageProperty":
            check_language_map(name, value)
            check_no_null(value, f"languageMap of {name!r}")
        elif attribute_type == "JsonProperty":
            if not isinstance(value, dict | list):
                raise BadRequestData(f"json of JsonProperty {name!r} must be an object or array")
        elif attribute_type in ("ListProperty", "ListRelationship"):
            if not isinstance(value, list):
                raise BadRequestData(f"{attribute_type} {name!r} needs an array")
            if attribute_type == "ListRelationship":
                for item in value:
                    obj = item.get("object") if isinstance(item, dict) else item
                    check_uri(obj, f"object of ListRelationship {name!r}")
        elif attribute_type == "VocabProperty":
            terms = value if isinstance(value, list) else [value]
            if not terms or not all(isinstance(t, str) and t for t in terms):
                raise BadRequestData(f"VocabProperty {name!r} needs a name or a list of names")
            expanded = [self.context.expand(t) for t in terms]
            return expanded if isinstance(value, list) else expanded[0]
        elif attribute_type == "Property":
            check_no_null(value, f"the value of Property {name!r}")
        return value


def check_language_map(name: str, value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise BadRequestData(f"languageMap of {name!r} must be a non-empty object")
    for tag, text in value.items():
        if not _LANGUAGE_TAG.match(tag):
            raise BadRequestData(f"{tag!r} in languageMap of {name!r} is not a language tag")
        texts = text if isinstance(text, list) else [text]
        if not all(isinstance(t, str) for t in texts):
            raise BadRequestData(f"languageMap of {name!r} must map tags to strings")


def is_multi_attribute(raw: Any) -> bool:
    """A list of attribute objects (not a concise array value)."""
    return (
        isinstance(raw, list)
        and bool(raw)
        and all(
            isinstance(item, dict)
            and ("type" in item or any(m in item for m in VALUE_MEMBER.values()))
            for item in raw
        )
    )


def check_dataset_ids(name: str, instances: list[dict[str, Any]]) -> None:
    """At most one default instance and one instance per datasetId (clause 4.5.5)."""
    seen: set[str | None] = set()
    for instance in instances:
        dataset_id = instance.get("datasetId")
        if dataset_id in seen:
            which = f"datasetId {dataset_id}" if dataset_id else "the default instance"
            raise BadRequestData(f"attribute {name!r} has {which} more than once")
        seen.add(dataset_id)
