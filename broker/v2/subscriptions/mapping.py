"""A v2 subscription as an NGSI-LD subscription document, and back.

The LD document drives matching and delivery as for any subscription; the member `v2` keeps
what LD has no place for (the v2 subject as written, attrsFormat), and tells delivery to send
Orion's notification body (`delivery_body`).
"""

from typing import Any
from urllib.parse import urlencode

from broker.core.errors import BadRequestData
from broker.v2 import mapping
from broker.v2.query import v2_pattern

V2_MEMBER = "v2"
ID_PREFIX = "urn:ngsi-ld:Subscription:"
FORMATS = ("normalized", "keyValues", "values")


def ld_subscription_id(v2_id: str) -> str:
    return f"{ID_PREFIX}{v2_id}"


def v2_subscription_id(ld_id: str) -> str:
    return ld_id.removeprefix(ID_PREFIX)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequestData(f"{what} must be an object")
    return value


def _selector(item: Any) -> dict[str, Any]:
    item = _object(item, "each of subject.entities")
    if "typePattern" in item:
        raise BadRequestData("typePattern is not supported")
    entity_type = item.get("type")
    if not isinstance(entity_type, str):
        raise BadRequestData("each of subject.entities needs a type")
    selector: dict[str, Any] = {"type": mapping.check_v2_field(entity_type, "entity type")}
    if isinstance(item.get("id"), str):
        selector["id"] = mapping.ld_id(item["id"], entity_type)
    elif isinstance(item.get("idPattern"), str) and item["idPattern"] != ".*":
        selector["idPattern"] = v2_pattern(item["idPattern"])
    return selector


def _condition(subject: dict[str, Any]) -> dict[str, Any]:
    condition = _object(subject.get("condition") or {}, "subject.condition")
    expression = _object(condition.get("expression") or {}, "subject.condition.expression")
    if {"georel", "geometry", "coords"} & set(expression):
        raise BadRequestData("geo expressions are not supported in v2 subscriptions")
    out: dict[str, Any] = {}
    if condition.get("attrs"):
        out["watchedAttributes"] = list(condition["attrs"])
    parts = [expression[k] for k in ("q", "mq") if isinstance(expression.get(k), str)]
    if parts:
        out["q"] = ";".join(parts).replace(".TimeInstant", ".observedAt")
    return out


def _custom_endpoint(custom: Any) -> dict[str, Any]:
    """httpCustom's url, qs and headers as an LD endpoint (headers: receiverInfo)."""
    custom = _object(custom, "notification.httpCustom")
    unsupported = {"payload", "json", "ngsi", "timeout"} & set(custom)
    if unsupported or custom.get("method", "POST") != "POST":
        raise BadRequestData("httpCustom supports url, headers, qs and method POST only")
    qs = _object(custom.get("qs") or {}, "httpCustom.qs")
    headers = _object(custom.get("headers") or {}, "httpCustom.headers")
    url = str(custom.get("url"))
    if qs:
        url += ("&" if "?" in url else "?") + urlencode(qs)
    endpoint: dict[str, Any] = {"uri": url, "accept": "application/json"}
    if headers:
        endpoint["receiverInfo"] = [{"key": k, "value": v} for k, v in headers.items()]
    return endpoint


def _notification(v2: dict[str, Any]) -> tuple[dict[str, Any], str]:
    notification = _object(v2.get("notification"), "notification")
    if "mqtt" in notification or "mqttCustom" in notification:
        raise BadRequestData("only notification.http and httpCustom are supported")
    if "httpCustom" in notification:
        endpoint = _custom_endpoint(notification["httpCustom"])
    else:
        http = _object(notification.get("http"), "notification.http")
        endpoint = {"uri": http.get("url"), "accept": "application/json"}
    attrs_format = notification.get("attrsFormat", "normalized")
    if attrs_format not in FORMATS:
        raise BadRequestData(f"attrsFormat must be one of {list(FORMATS)}")
    if notification.get("exceptAttrs"):
        raise BadRequestData("exceptAttrs is not supported")
    ld: dict[str, Any] = {"format": "normalized", "endpoint": endpoint}
    if notification.get("attrs"):
        ld["attributes"] = list(notification["attrs"])
    return ld, attrs_format


def to_ld(v2: Any, subscription_id: str, *, scope_q: str | None = None) -> dict[str, Any]:
    """The LD subscription of a whole v2 subscription; `scope_q`: the service paths it sees."""
    v2 = _object(v2, "the subscription")
    subject = _object(v2.get("subject"), "subject")
    entities = subject.get("entities")
    if not isinstance(entities, list) or not entities:
        raise BadRequestData("subject.entities must be a non-empty array")
    notification, attrs_format = _notification(v2)
    document: dict[str, Any] = {
        "id": ld_subscription_id(subscription_id),
        "type": "Subscription",
        "entities": [_selector(e) for e in entities],
        **_condition(subject),
        "notification": notification,
        "isActive": v2.get("status", "active") != "inactive",
        V2_MEMBER: {
            "subject": subject,
            "attrsFormat": attrs_format,
            **({"httpCustom": custom} if (custom := v2["notification"].get("httpCustom")) else {}),
        },
    }
    for v2_key, ld_key in (("description", "description"), ("expires", "expiresAt")):
        if v2.get(v2_key) is not None:
            document[ld_key] = v2[v2_key]
    if v2.get("throttling"):
        document["throttling"] = v2["throttling"]
    if scope_q is not None:
        document["scopeQ"] = scope_q
    return document


def _status(ld: dict[str, Any]) -> str:
    if ld.get("status") == "expired":
        return "expired"
    if not ld.get("isActive", True):
        return "inactive"
    return "failed" if ld["notification"].get("status") == "failed" else "active"


def _derived_subject(ld: dict[str, Any]) -> dict[str, Any]:
    """The v2 subject of a subscription made through NGSI-LD."""
    entities = []
    for selector in ld.get("entities") or []:
        entity: dict[str, Any] = {"type": selector.get("type")}
        if "id" in selector:
            entity["id"] = mapping.v2_id(selector["id"], str(selector.get("type")))
        else:
            entity["idPattern"] = selector.get("idPattern", ".*")
        entities.append(entity)
    condition: dict[str, Any] = {"attrs": ld.get("watchedAttributes", [])}
    if ld.get("q"):
        condition["expression"] = {"q": ld["q"]}
    return {"entities": entities, "condition": condition}


def from_ld(ld: dict[str, Any]) -> dict[str, Any]:
    """A rendered LD subscription (status members included) as a v2 subscription."""
    kept = ld.get(V2_MEMBER) or {}
    notification = ld["notification"]
    target = (
        {"httpCustom": kept["httpCustom"]}
        if "httpCustom" in kept
        else {"http": {"url": notification["endpoint"]["uri"]}}
    )
    v2_notification: dict[str, Any] = {
        **target,
        "attrs": notification.get("attributes", []),
        "attrsFormat": kept.get("attrsFormat", "normalized"),
        "timesSent": notification.get("timesSent", 0),
        "failsCounter": notification.get("timesFailed", 0),
    }
    for key in ("lastNotification", "lastSuccess", "lastFailure"):
        if key in notification:
            v2_notification[key] = notification[key]
    out: dict[str, Any] = {"id": v2_subscription_id(ld["id"])}
    if ld.get("description"):
        out["description"] = ld["description"]
    out["subject"] = kept.get("subject") or _derived_subject(ld)
    out["notification"] = v2_notification
    if ld.get("expiresAt"):
        out["expires"] = ld["expiresAt"]
    if ld.get("throttling"):
        out["throttling"] = ld["throttling"]
    out["status"] = _status(ld)
    return out


def delivery_body(
    subscription_id: str, kept: dict[str, Any], entities: list[dict[str, Any]]
) -> dict[str, Any]:
    """Orion's notification: {subscriptionId, data} with the entities in attrsFormat."""
    v2_entities = [mapping.from_ld_entity(e) for e in entities]
    attrs_format = kept.get("attrsFormat", "normalized")
    if attrs_format == "keyValues":
        data: list[Any] = [mapping.key_values(e) for e in v2_entities]
    elif attrs_format == "values":
        data = [mapping.values(e, []) for e in v2_entities]
    else:
        data = v2_entities
    return {"subscriptionId": v2_subscription_id(subscription_id), "data": data}
