"""The Subscription data type (clause 5.2.12): parsed and checked into a SubscriptionSpec.

The document is kept as the client wrote it; `parse_subscription` checks it and returns what
matching and delivery need. Names (types, attributes) stay compact; they are expanded with the
subscription's @context when it is compiled (broker.subscriptions.matching).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from broker.core.errors import BadRequestData
from broker.entities.attributes import check_attribute_name, check_uri, parse_datetime
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.entities.query.selection import EntityQuery, Selector, compile_id_pattern
from broker.entities.render import CONCISE, KEY_VALUES, NORMALIZED

ENTITY_CREATED = "entityCreated"
ENTITY_UPDATED = "entityUpdated"
ENTITY_DELETED = "entityDeleted"
ATTRIBUTE_CREATED = "attributeCreated"
ATTRIBUTE_UPDATED = "attributeUpdated"
ATTRIBUTE_DELETED = "attributeDeleted"
TRIGGERS = frozenset(
    {
        ENTITY_CREATED,
        ENTITY_UPDATED,
        ENTITY_DELETED,
        ATTRIBUTE_CREATED,
        ATTRIBUTE_UPDATED,
        ATTRIBUTE_DELETED,
    }
)
# Clause 5.2.12: without notificationTrigger, attributes created or updated notify.
DEFAULT_TRIGGERS = frozenset({ATTRIBUTE_CREATED, ATTRIBUTE_UPDATED})
FORMATS = {"normalized": NORMALIZED, "keyValues": KEY_VALUES, "simplified": KEY_VALUES}
FORMATS["concise"] = CONCISE
ACCEPTS = ("application/json", "application/ld+json")
SCHEMES = ("http", "https", "mqtt", "mqtts")
# Members the broker maintains: ignored when a client sends them.
READ_ONLY = frozenset({"status", "createdAt", "modifiedAt", "@context"})
READ_ONLY_NOTIFICATION = frozenset(
    {"timesSent", "timesFailed", "lastNotification", "lastSuccess", "lastFailure", "status"}
)
MQTT_QOS = "MQTT-QoS"


@dataclass(frozen=True, slots=True)
class Endpoint:
    uri: str
    accept: str
    receiver_info: tuple[tuple[str, str], ...]
    notifier_info: tuple[tuple[str, str], ...]

    @property
    def scheme(self) -> str:
        return urlsplit(self.uri).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.uri).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.uri)
        default = {"http": 80, "https": 443, "mqtt": 1883, "mqtts": 8883}[parts.scheme]
        return parts.port or default

    @property
    def key(self) -> str:
        """What notifications to one endpoint share: its concurrency limit, its breaker."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def qos(self) -> int:
        value = dict(self.notifier_info).get(MQTT_QOS, "0")
        return int(value)


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    id: str
    query: EntityQuery
    watched: tuple[str, ...]
    triggers: frozenset[str]
    attributes: tuple[str, ...]
    format: str
    sys_attrs: bool
    show_changes: bool
    endpoint: Endpoint
    throttling: float | None
    time_interval: float | None
    expires_at: datetime | None
    is_active: bool
    lang: str | None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequestData(f"{what} must be a JSON object")
    return value


def _names(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise BadRequestData(f"{what} must be a non-empty list of attribute names")
    return tuple(check_attribute_name(name) for name in value)


def _seconds(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise BadRequestData(f"{what} must be a positive number of seconds")
    return float(value)


def _key_values(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRequestData(f"{what} must be a list of {{key, value}} objects")
    pairs = []
    for item in value:
        item = _object(item, f"each of {what}")
        key, text = item.get("key"), item.get("value")
        if not isinstance(key, str) or not key or not isinstance(text, str):
            raise BadRequestData(f"each of {what} needs a string key and a string value")
        pairs.append((key, text))
    return tuple(pairs)


_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110)
# Headers of a notification request that the broker writes itself.
BROKER_HEADERS = frozenset({"content-type", "content-length", "link", "ngsild-tenant", "host"})


def _endpoint(value: Any) -> Endpoint:
    raw = _object(value, "notification.endpoint")
    uri = check_uri(raw.get("uri"), "notification.endpoint.uri")
    parts = urlsplit(uri)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise BadRequestData(
            f"notification.endpoint.uri must be an absolute {', '.join(SCHEMES)} URI"
        )
    try:
        parts.port  # noqa: B018 (raises on a port that is no number or out of range)
    except ValueError as exc:
        raise BadRequestData(f"notification.endpoint.uri has an invalid port: {exc}") from exc
    if parts.scheme.startswith("mqtt") and len(parts.path) <= 1:
        raise BadRequestData("an MQTT endpoint names its topic: mqtt://host:port/topic")
    accept = raw.get("accept", "application/json")
    if accept not in ACCEPTS:
        raise BadRequestData(f"notification.endpoint.accept must be one of {list(ACCEPTS)}")
    notifier = _key_values(raw.get("notifierInfo"), "notification.endpoint.notifierInfo")
    qos = dict(notifier).get(MQTT_QOS)
    if qos is not None and qos not in ("0", "1", "2"):
        raise BadRequestData("notifierInfo MQTT-QoS must be 0, 1 or 2")
    receiver = _key_values(raw.get("receiverInfo"), "notification.endpoint.receiverInfo")
    for key, text in receiver:
        if not _HEADER_NAME.match(key) or "\r" in text or "\n" in text:
            raise BadRequestData(f"receiverInfo {key!r} is not a valid HTTP header")
        if key.lower() in BROKER_HEADERS:
            raise BadRequestData(f"receiverInfo cannot set {key}: the broker sets it")
    return Endpoint(uri=uri, accept=accept, receiver_info=receiver, notifier_info=notifier)


def endpoint_of(document: dict[str, Any]) -> Endpoint:
    """The endpoint of a stored subscription document."""
    return _endpoint(_object(document.get("notification"), "notification").get("endpoint"))


def _selectors(value: Any) -> tuple[Selector, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise BadRequestData("entities must be a non-empty list of EntitySelector objects")
    selectors = []
    for item in value:
        item = _object(item, "each of entities")
        if not isinstance(item.get("type"), str):
            raise BadRequestData("each EntitySelector of a subscription needs a type")
        entity_id = item.get("id")
        if entity_id is not None:
            check_uri(entity_id, "entities[].id")
        pattern = item.get("idPattern")
        if pattern is not None:
            if not isinstance(pattern, str):
                raise BadRequestData("entities[].idPattern must be a string")
            compile_id_pattern(pattern)
        selectors.append(
            Selector(
                ids=(entity_id,) if entity_id else (),
                id_pattern=pattern,
                types=parse_types(item["type"]),
            )
        )
    return tuple(selectors)


def _query(document: dict[str, Any]) -> EntityQuery:
    for key in ("q", "scopeQ"):
        if key in document and not isinstance(document[key], str):
            raise BadRequestData(f"{key} must be a string")
    geo = document.get("geoQ")
    geo_q = _object(geo, "geoQ") if geo is not None else {}
    return EntityQuery(
        selectors=_selectors(document.get("entities")),
        q=parse_q(document["q"]) if document.get("q") is not None else None,
        scope_q=parse_scope_query(document["scopeQ"]) if document.get("scopeQ") else None,
        geo=parse_geo_query(
            geo_q.get("georel"),
            geo_q.get("geometry"),
            geo_q.get("coordinates"),
            geo_q.get("geoproperty"),
        ),
    )


def _triggers(value: Any) -> frozenset[str]:
    if value is None:
        return DEFAULT_TRIGGERS
    if not isinstance(value, list) or not value or not set(value) <= TRIGGERS:
        raise BadRequestData(f"notificationTrigger must be a non-empty list of {sorted(TRIGGERS)}")
    return frozenset(value)


def _flag(value: Any, what: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadRequestData(f"{what} must be true or false")
    return value


def parse_subscription(document: dict[str, Any]) -> SubscriptionSpec:
    """Check a subscription document (clause 5.2.12); BadRequestData names what is wrong."""
    if document.get("type") != "Subscription":
        raise BadRequestData('a subscription has "type": "Subscription"')
    subscription_id = check_uri(document.get("id"), "id")
    notification = _object(document.get("notification"), "notification")
    watched = _names(document.get("watchedAttributes"), "watchedAttributes")
    time_interval = _seconds(document.get("timeInterval"), "timeInterval")
    throttling = _seconds(document.get("throttling"), "throttling")
    if not document.get("entities") and not watched and time_interval is None:
        raise BadRequestData("a subscription needs entities or watchedAttributes")
    if time_interval is not None and (watched or throttling is not None):
        raise BadRequestData("timeInterval cannot be combined with watchedAttributes or throttling")
    fmt = notification.get("format", "normalized")
    if fmt not in FORMATS:
        raise BadRequestData(f"notification.format must be one of {sorted(FORMATS)}")
    expires = document.get("expiresAt")
    lang = document.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise BadRequestData("lang must be a string")
    return SubscriptionSpec(
        id=subscription_id,
        query=_query(document),
        watched=watched,
        triggers=_triggers(document.get("notificationTrigger")),
        attributes=_names(notification.get("attributes"), "notification.attributes"),
        format=FORMATS[fmt],
        sys_attrs=_flag(notification.get("sysAttrs"), "notification.sysAttrs", False),
        show_changes=_flag(notification.get("showChanges"), "notification.showChanges", False),
        endpoint=_endpoint(notification.get("endpoint")),
        throttling=throttling,
        time_interval=time_interval,
        expires_at=parse_datetime(expires, "expiresAt") if expires is not None else None,
        is_active=_flag(document.get("isActive"), "isActive", True),
        lang=lang,
    )


def clean_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the members the broker maintains (status, counters, @context)."""
    kept = {k: v for k, v in document.items() if k not in READ_ONLY}
    if isinstance(kept.get("notification"), dict):
        kept["notification"] = {
            k: v for k, v in kept["notification"].items() if k not in READ_ONLY_NOTIFICATION
        }
    return kept
