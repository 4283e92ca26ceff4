"""The CSourceRegistration data type (clause 5.2.9), parsed and checked into a RegistrationSpec.

Type and attribute names of `information` are expanded with the request's @context when a
registration is stored, and compacted with the reader's when it is rendered; every other member
is kept as the client wrote it. Members the standard does not define are the registration's own
properties (queried with q and csf, clause 5.10.2).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, get_args
from urllib.parse import urlsplit

from broker.core.errors import BadRequestData
from broker.entities.attributes import (
    check_attribute_name,
    check_geometry,
    check_name,
    check_uri,
    parse_datetime,
)
from broker.entities.query.selection import compile_id_pattern
from broker.jsonld.context import Context
from broker.registrations.operations import (
    AUXILIARY_ALLOWED,
    DEFAULT_OPERATIONS,
    expand_operations,
)
from broker.registrations.sources import EntitySelector, Mode

TYPE = "ContextSourceRegistration"
MODES: tuple[str, ...] = get_args(Mode)
# Members the broker maintains: ignored when a client sends them.
READ_ONLY = frozenset(
    {
        "status",
        "timesSent",
        "timesFailed",
        "lastSuccess",
        "lastFailure",
        "createdAt",
        "modifiedAt",
        "@context",
    }
)
STANDARD = frozenset(
    {
        "id",
        "type",
        "registrationName",
        "description",
        "information",
        "tenant",
        "observationInterval",
        "managementInterval",
        "location",
        "observationSpace",
        "operationSpace",
        "expiresAt",
        "endpoint",
        "contextSourceInfo",
        "scope",
        "mode",
        "operations",
        "refreshRate",
        "management",
    }
)
GEO_MEMBERS = ("location", "observationSpace", "operationSpace")
_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_SCOPE = re.compile(r"^/[\w\-.]+(/[\w\-.]+)*$")
_TENANT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class Information:
    """One RegistrationInfo (clause 5.2.10), names expanded; empty `entities`: any entity,
    no names at all: any attribute."""

    entities: tuple[EntitySelector, ...]
    property_names: frozenset[str]
    relationship_names: frozenset[str]

    @property
    def attribute_names(self) -> frozenset[str]:
        return self.property_names | self.relationship_names

    def stored(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.entities:
            out["entities"] = [
                {
                    k: v
                    for k, v in (("type", e.type), ("id", e.id), ("idPattern", e.id_pattern))
                    if v is not None
                }
                for e in self.entities
            ]
        if self.property_names:
            out["propertyNames"] = sorted(self.property_names)
        if self.relationship_names:
            out["relationshipNames"] = sorted(self.relationship_names)
        return out

    @classmethod
    def of_stored(cls, raw: dict[str, Any]) -> "Information":
        return cls(
            entities=tuple(
                EntitySelector(type=e["type"], id=e.get("id"), id_pattern=e.get("idPattern"))
                for e in raw.get("entities", ())
            ),
            property_names=frozenset(raw.get("propertyNames", ())),
            relationship_names=frozenset(raw.get("relationshipNames", ())),
        )


@dataclass(frozen=True)
class RegistrationSpec:
    id: str
    document: dict[str, Any]  # as written, without information and contextSourceInfo
    information: tuple[Information, ...]
    endpoint: str
    mode: Mode
    operations: frozenset[str]
    context_source_info: tuple[tuple[str, str], ...]
    expires_at: datetime | None
    extra_names: dict[str, str]  # the registration's own members, expanded


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequestData(f"{what} must be a JSON object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise BadRequestData(f"{what} must be a non-empty list")
    return value


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadRequestData(f"{what} must be a non-empty string")
    return value


def _selector(raw: Any, context: Context) -> EntitySelector:
    item = _object(raw, "each of information[].entities")
    type_name = item.get("type")
    if not isinstance(type_name, str):
        raise BadRequestData("each of information[].entities needs a type (one type name)")
    check_name(type_name, "information[].entities[].type")
    entity_id = item.get("id")
    if entity_id is not None:
        check_uri(entity_id, "information[].entities[].id")
    pattern = item.get("idPattern")
    if pattern is not None:
        compile_id_pattern(_string(pattern, "information[].entities[].idPattern"))
    return EntitySelector(type=context.expand(type_name), id=entity_id, id_pattern=pattern)


def _names(value: Any, what: str, context: Context) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset(context.expand(check_attribute_name(n)) for n in _list(value, what))


def _information(value: Any, context: Context) -> tuple[Information, ...]:
    entries = []
    for raw in _list(value, "information"):
        item = _object(raw, "each of information")
        entities = item.get("entities")
        entry = Information(
            entities=tuple(_selector(e, context) for e in _list(entities, "entities"))
            if entities is not None
            else (),
            property_names=_names(item.get("propertyNames"), "propertyNames", context),
            relationship_names=_names(item.get("relationshipNames"), "relationshipNames", context),
        )
        if not entry.entities and not entry.attribute_names:
            raise BadRequestData(
                "each of information needs entities, propertyNames or relationshipNames"
            )
        entries.append(entry)
    return tuple(entries)


def check_endpoint(value: Any) -> str:
    uri = check_uri(value, "endpoint")
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequestData("endpoint must be an absolute http or https URI")
    try:
        parts.port  # noqa: B018 (raises on a port that is no number or out of range)
    except ValueError as exc:
        raise BadRequestData(f"endpoint has an invalid port: {exc}") from exc
    if parts.query or parts.fragment:
        raise BadRequestData("endpoint must not carry a query or fragment")
    return uri


def _key_values(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    pairs = []
    for raw in _list(value, "contextSourceInfo"):
        item = _object(raw, "each of contextSourceInfo")
        key, text = item.get("key"), item.get("value")
        if not isinstance(key, str) or not key or not isinstance(text, str):
            raise BadRequestData("each of contextSourceInfo needs a string key and value")
        if any(c in key + text for c in "\r\n\0"):
            raise BadRequestData(f"contextSourceInfo {key!r} holds a line break")
        pairs.append((key, text))
    return tuple(pairs)


def _interval(value: Any, what: str) -> None:
    item = _object(value, what)
    start = parse_datetime(item.get("startAt"), f"{what}.startAt")
    if item.get("endAt") is not None:
        end = parse_datetime(item["endAt"], f"{what}.endAt")
        if end < start:
            raise BadRequestData(f"{what}.endAt is before its startAt")


def _scope(value: Any) -> None:
    scopes = value if isinstance(value, list) else [value]
    for scope in scopes:
        if not isinstance(scope, str) or not _SCOPE.match(scope):
            raise BadRequestData(f"scope {scope!r} is not a scope (/a/b, clause 4.18)")


def _milliseconds(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise BadRequestData(f"{what} must be a positive number of milliseconds")


def _management(value: Any) -> None:
    item = _object(value, "management")
    if "localOnly" in item and not isinstance(item["localOnly"], bool):
        raise BadRequestData("management.localOnly must be true or false")
    for key in ("timeout", "cooldown"):
        if key in item:
            _milliseconds(item[key], f"management.{key}")
    if "cacheDuration" in item:
        _duration(item["cacheDuration"], "management.cacheDuration")


def _duration(value: Any, what: str) -> None:
    if not isinstance(value, str) or not _DURATION.match(value):
        raise BadRequestData(f"{what} must be an ISO 8601 duration such as PT10M")


def _check_members(document: dict[str, Any]) -> None:
    for key in ("registrationName", "description"):
        if key in document:
            _string(document[key], key)
    if "tenant" in document and not (
        isinstance(document["tenant"], str) and _TENANT.match(document["tenant"])
    ):
        raise BadRequestData("tenant must be a tenant name")
    for key in ("observationInterval", "managementInterval"):
        if key in document:
            _interval(document[key], key)
    for key in GEO_MEMBERS:
        if key in document:
            check_geometry(document[key])
    if "scope" in document:
        _scope(document["scope"])
    if "refreshRate" in document:
        _duration(document["refreshRate"], "refreshRate")
    if "management" in document:
        _management(document["management"])


def _operations(document: dict[str, Any], mode: str) -> frozenset[str]:
    names = document.get("operations", list(DEFAULT_OPERATIONS))
    for name in _list(names, "operations"):
        _string(name, "each of operations")
    operations = expand_operations(names)
    if mode == "auxiliary" and not operations <= AUXILIARY_ALLOWED:
        refused = sorted(operations - AUXILIARY_ALLOWED)
        raise BadRequestData(f"an auxiliary registration only serves reads, not {refused}")
    return operations


def _check_exclusive(information: tuple[Information, ...]) -> None:
    """Clause 4.3.6.3: an exclusive registration names the entity ids and attributes it owns."""
    for entry in information:
        if not entry.entities or any(e.id is None for e in entry.entities):
            raise BadRequestData("an exclusive registration gives the id of every entity")
        if any(e.id_pattern is not None for e in entry.entities):
            raise BadRequestData("an exclusive registration cannot use idPattern")
        if not entry.attribute_names:
            raise BadRequestData(
                "an exclusive registration gives propertyNames or relationshipNames"
            )


def parse_registration(document: dict[str, Any], context: Context) -> RegistrationSpec:
    """Check a registration document (clause 5.2.9); BadRequestData names what is wrong."""
    if document.get("type") != TYPE:
        raise BadRequestData(f'a registration has "type": "{TYPE}"')
    registration_id = check_uri(document.get("id"), "id")
    mode = document.get("mode", "inclusive")
    if mode not in MODES:
        raise BadRequestData(f"mode must be one of {list(MODES)}")
    information = _information(document.get("information"), context)
    if mode == "exclusive":
        _check_exclusive(information)
    operations = _operations(document, mode)
    _check_members(document)
    expires = document.get("expiresAt")
    kept = {k: v for k, v in document.items() if k not in ("information", "contextSourceInfo")}
    return RegistrationSpec(
        id=registration_id,
        document=kept,
        information=information,
        endpoint=check_endpoint(document.get("endpoint")),
        mode=cast(Mode, mode),
        operations=operations,
        context_source_info=_key_values(document.get("contextSourceInfo")),
        expires_at=parse_datetime(expires, "expiresAt") if expires is not None else None,
        extra_names={
            name: context.expand(check_name(name, "member name"))
            for name in document
            if name not in STANDARD
        },
    )


def clean_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the members the broker maintains."""
    return {k: v for k, v in document.items() if k not in READ_ONLY}
