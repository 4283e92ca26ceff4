"""Entity changes applied in memory to an EntityRecord (no I/O).

Single-entity services and batch operations both load records, apply one of these, and save:
one implementation of each rule. Each function validates everything before it touches the
record it returns, so a failed change leaves the caller's record as it was.
"""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from broker.core.errors import BadRequestData
from broker.entities import documents
from broker.entities.attributes import (
    NGSI_LD_NULL,
    AttributeParser,
    check_attribute_name,
    check_uri,
    dataset_id_of,
    expand_types,
    geometry_bounds,
)
from broker.entities.documents import UpdateResult
from broker.entities.render import format_datetime
from broker.entities.repository import EntityRecord
from broker.jsonld.context import NGSI_LD, Context

LOCATION = NGSI_LD + "location"
ENTITY_MEMBERS = {"id", "type", "scope", "@context", "createdAt", "modifiedAt", "deletedAt"}
# Clause 4.18: a scope is a path of one or more non-empty levels (no wildcards: those are scopeQ).
_SCOPE_PATH = re.compile(r"^(/[\w\-.]+)+$")


@dataclass(frozen=True, slots=True)
class Clock:
    """The one moment a request happens at, as a datetime and as NGSI-LD text."""

    moment: datetime
    text: str

    @classmethod
    def now(cls) -> "Clock":
        moment = datetime.now(UTC)
        return cls(moment, format_datetime(moment))


def entity_object(payload: Any, what: str = "entity") -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise BadRequestData(f"{what} must be a JSON object")
    return payload


def scopes(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    for scope in items:
        if not isinstance(scope, str) or not _SCOPE_PATH.match(scope):
            raise BadRequestData(f"scope {scope!r} must be a path like /Kanagawa/Yokohama")
    return items


def attribute_members(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in ENTITY_MEMBERS}


def location_bbox(attrs: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """Bounding box of every GeoProperty instance of `location`: a geo-query matches any."""
    boxes = [
        geometry_bounds(instance["value"])
        for instance in attrs.get(LOCATION) or ()
        if instance.get("type") == "GeoProperty"
    ]
    if not boxes:
        return None
    wests, souths, easts, norths = zip(*boxes, strict=True)
    return min(wests), min(souths), max(easts), max(norths)


def _draft(record: EntityRecord) -> EntityRecord:
    """A copy to change: documents functions replace lists and instances, never mutate them."""
    return replace(record, attrs=dict(record.attrs), types=list(record.types))


def _finish(record: EntityRecord, clock: Clock) -> EntityRecord:
    record.modified_at = clock.moment
    record.bbox = location_bbox(record.attrs)
    return record


def _check_same_id(body: dict[str, Any], entity_id: str) -> None:
    if "id" in body and body["id"] != entity_id:
        raise BadRequestData("the entity id in the body differs from the one in the URL")


def check_selected_type(record: EntityRecord, entity_type: str | None, context: Context) -> bool:
    """The `type` selector of entity-specific operations (V1.9): does the entity have one of
    the (comma-separated) types? True when no selector is given."""
    if entity_type is None:
        return True
    wanted = expand_types([t.strip() for t in entity_type.split(",")], context, "type")
    return any(t in record.types for t in wanted)


def _added_types(record: EntityRecord, body: dict[str, Any], context: Context) -> list[str]:
    if "type" not in body:
        return record.types
    return list(dict.fromkeys([*record.types, *expand_types(body["type"], context)]))


def new_entity(payload: Any, context: Context, clock: Clock) -> EntityRecord:
    """5.6.1 Create Entity: a validated new record."""
    body = entity_object(payload)
    entity_id = check_uri(body.get("id"), "entity id")
    if entity_id == NGSI_LD_NULL:
        raise BadRequestData("NGSI-LD Null is not an entity id")
    if "type" not in body:
        raise BadRequestData("entity needs a type")
    attrs = AttributeParser(context, clock.text).attributes(attribute_members(body))
    return EntityRecord(
        id=entity_id,
        types=expand_types(body["type"], context),
        scopes=scopes(body.get("scope")),
        attrs=attrs,
        created_at=clock.moment,
        modified_at=clock.moment,
        bbox=location_bbox(attrs),
    )


def replaced(record: EntityRecord, payload: Any, context: Context, clock: Clock) -> EntityRecord:
    """5.6.18 Replace Entity: every attribute replaced; id and createdAt kept."""
    body = entity_object(payload)
    _check_same_id(body, record.id)
    draft = _draft(record)
    draft.attrs = AttributeParser(context, clock.text).attributes(attribute_members(body))
    if "type" in body:
        draft.types = expand_types(body["type"], context)
    draft.scopes = scopes(body.get("scope"))
    return _finish(draft, clock)


def merged(record: EntityRecord, payload: Any, context: Context, clock: Clock) -> EntityRecord:
    """5.6.17 Merge Entity (clause 5.5.12): add or merge attributes; NGSI-LD Null deletes."""
    body = entity_object(payload, "entity fragment")
    _check_same_id(body, record.id)
    draft = _draft(record)
    parser = AttributeParser(context, clock.text)
    for name, raw in attribute_members(body).items():
        iri = context.expand(check_attribute_name(name))
        documents.merge(draft.attrs, iri, name, raw, parser, merge_values=True)
    draft.types = _added_types(draft, body, context)
    if "scope" in body:
        draft.scopes = None if documents.is_null(body["scope"]) else scopes(body["scope"])
    return _finish(draft, clock)


def appended(
    record: EntityRecord, payload: Any, context: Context, clock: Clock, *, overwrite: bool
) -> tuple[EntityRecord, UpdateResult]:
    """5.6.3 Append Entity Attributes (noOverwrite keeps existing instances)."""
    body = entity_object(payload, "attributes")
    _check_same_id(body, record.id)
    incoming = AttributeParser(context, clock.text).attributes(attribute_members(body))
    draft = _draft(record)
    result = UpdateResult()
    for iri, instances in incoming.items():
        name = context.compact(iri)
        if documents.put(draft.attrs, iri, instances, overwrite=overwrite):
            result.updated.append(name)
        else:
            result.not_updated.append((name, "attribute exists and noOverwrite was given"))
    draft.types = _added_types(draft, body, context)
    if "scope" in body:
        draft.scopes = scopes(body["scope"])
    return _finish(draft, clock), result


def updated(
    record: EntityRecord, payload: Any, context: Context, clock: Clock
) -> tuple[EntityRecord, UpdateResult]:
    """5.6.2 Update Entity Attributes (V1.9): replace or add instances; NGSI-LD Null deletes."""
    body = entity_object(payload, "attributes")
    draft = _draft(record)
    parser = AttributeParser(context, clock.text)
    result = UpdateResult()
    for name, raw in attribute_members(body).items():
        iri = context.expand(check_attribute_name(name))
        if documents.is_null(raw):
            dataset_id = raw.get("datasetId") if isinstance(raw, dict) else None
            if documents.remove(draft.attrs, iri, dataset_id=dataset_id):
                result.updated.append(name)
            else:
                result.not_updated.append((name, "no such attribute to delete"))
            continue
        documents.put(draft.attrs, iri, parser.attribute(name, raw), overwrite=True)
        result.updated.append(name)
    if "scope" in body:
        if draft.scopes is None:
            result.not_updated.append(("scope", "the entity has no scope to update"))
        else:
            draft.scopes = scopes(body["scope"])
    return _finish(draft, clock), result


def attribute_changed(
    record: EntityRecord,
    attribute: str,
    payload: Any,
    context: Context,
    clock: Clock,
    *,
    replace_whole: bool,
) -> EntityRecord | None:
    """5.6.4 Partial Attribute Update, or 5.6.19 Replace Attribute; None if no such instance."""
    iri = context.expand(check_attribute_name(attribute))
    if isinstance(payload, dict):  # an application/ld+json fragment names its @context
        payload = {k: v for k, v in payload.items() if k != "@context"}
    fragment = documents.as_fragment(payload)
    dataset_id = dataset_id_of(fragment.get("datasetId"), f"datasetId of {attribute!r}")
    instances = record.attrs.get(iri, [])
    index = documents.find_instance(instances, dataset_id)
    if index is None:
        return None
    parser = AttributeParser(context, clock.text)
    raw = (
        fragment
        if replace_whole
        else documents.overlay(
            instances[index], fragment, parser, merge_values=False, allow_type_change=False
        )
    )
    new = documents.keep_created(parser.instance(attribute, raw), instances[index])
    draft = _draft(record)
    draft.attrs[iri] = [*instances[:index], new, *instances[index + 1 :]]
    return _finish(draft, clock)


def attribute_deleted(
    record: EntityRecord,
    attribute: str,
    context: Context,
    clock: Clock,
    *,
    dataset_id: str | None,
    delete_all: bool,
) -> EntityRecord | None:
    """5.6.5 Delete Entity Attribute (V1.9: also scope); None if nothing matched."""
    dataset_id = dataset_id_of(dataset_id, "datasetId")
    draft = _draft(record)
    if attribute == "scope":
        if record.scopes is None:
            return None
        draft.scopes = None
        return _finish(draft, clock)
    iri = context.expand(check_attribute_name(attribute))
    if not documents.remove(draft.attrs, iri, dataset_id=dataset_id, delete_all=delete_all):
        return None
    return _finish(draft, clock)
