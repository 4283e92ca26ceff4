"""Entity rules (clauses 5.6 and 5.7): create, retrieve, replace, merge, delete, attributes.

Services never commit; the request's session does, after the handler returns.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.errors import AlreadyExists, BadRequestData, ResourceNotFound
from broker.entities import documents
from broker.entities.attributes import (
    AttributeParser,
    check_attribute_name,
    check_geometry,
    check_uri,
    expand_types,
)
from broker.entities.documents import UpdateResult
from broker.entities.render import Representation, format_datetime, render_entity
from broker.entities.repository import EntityRecord, EntityRepository
from broker.jsonld.context import NGSI_LD, Context

LOCATION = NGSI_LD + "location"
_ENTITY_MEMBERS = {"id", "type", "scope", "@context", "createdAt", "modifiedAt", "deletedAt"}


def _now() -> tuple[datetime, str]:
    moment = datetime.now(UTC)
    return moment, format_datetime(moment)


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise BadRequestData(f"{what} must be a JSON object")
    return payload


def _scopes(value: Any) -> list[str] | None:
    if value is None:
        return None
    scopes = value if isinstance(value, list) else [value]
    for scope in scopes:
        if not isinstance(scope, str) or not scope.startswith("/") or " " in scope:
            raise BadRequestData(f"scope {scope!r} must be a path like /Kanagawa/Yokohama")
    return scopes


def _attribute_members(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in _ENTITY_MEMBERS}


def _bbox(attrs: dict[str, Any]) -> tuple[float, float, float, float] | None:
    instances = attrs.get(LOCATION)
    if not instances:
        return None
    default = documents.find_instance(instances, None)
    instance = instances[default if default is not None else 0]
    if instance.get("type") != "GeoProperty":
        return None
    return check_geometry(instance["value"])


async def _existing(repo: EntityRepository, entity_id: str) -> EntityRecord:
    check_uri(entity_id, "entity id")
    record = await repo.get(entity_id, for_update=True)
    if record is None:
        raise ResourceNotFound(f"entity {entity_id} not found")
    return record


async def _save(repo: EntityRepository, record: EntityRecord, moment: datetime) -> None:
    record.modified_at = moment
    record.bbox = _bbox(record.attrs)
    await repo.save(record)


async def create_entity(
    session: AsyncSession, tenant: str, *, payload: Any, context: Context
) -> str:
    """5.6.1 Create Entity; returns the new entity's id."""
    body = _object(payload, "entity")
    entity_id = check_uri(body.get("id"), "entity id")
    if "type" not in body:
        raise BadRequestData("entity needs a type")
    moment, now = _now()
    attrs = AttributeParser(context, now).attributes(_attribute_members(body))
    record = EntityRecord(
        id=entity_id,
        types=expand_types(body["type"], context),
        scopes=_scopes(body.get("scope")),
        attrs=attrs,
        created_at=moment,
        modified_at=moment,
        bbox=_bbox(attrs),
    )
    if not await EntityRepository(session, tenant).insert(record):
        raise AlreadyExists(f"entity {entity_id} already exists")
    return entity_id


async def retrieve_entity(
    session: AsyncSession,
    tenant: str,
    *,
    entity_id: str,
    context: Context,
    representation: Representation,
) -> dict[str, Any]:
    """5.7.1 Retrieve Entity; 404 if the selection (attrs, pick, omit) leaves nothing."""
    check_uri(entity_id, "entity id")
    record = await EntityRepository(session, tenant).get(entity_id)
    if record is None:
        raise ResourceNotFound(f"entity {entity_id} not found")
    entity = render_entity(record, context, representation)
    selected = representation.pick is not None or bool(representation.omit)
    nothing_picked = representation.attrs_only and not any(
        k in record.attrs for k in representation.pick or ()
    )
    if selected and (not entity or nothing_picked):
        raise ResourceNotFound(f"entity {entity_id} has none of the requested attributes")
    return entity


async def replace_entity(
    session: AsyncSession, tenant: str, *, entity_id: str, payload: Any, context: Context
) -> None:
    """5.6.18 Replace Entity: every attribute replaced; id and createdAt kept."""
    body = _object(payload, "entity")
    if "id" in body and body["id"] != entity_id:
        raise BadRequestData("the entity id in the body differs from the one in the URL")
    repo = EntityRepository(session, tenant)
    record = await _existing(repo, entity_id)
    moment, now = _now()
    record.attrs = AttributeParser(context, now).attributes(_attribute_members(body))
    if "type" in body:
        record.types = expand_types(body["type"], context)
    record.scopes = _scopes(body.get("scope"))
    await _save(repo, record, moment)


async def merge_entity(
    session: AsyncSession, tenant: str, *, entity_id: str, payload: Any, context: Context
) -> None:
    """5.6.17 Merge Entity: attributes added or merged (clause 5.5.12); NGSI-LD Null deletes."""
    body = _object(payload, "entity fragment")
    if "id" in body and body["id"] != entity_id:
        raise BadRequestData("the entity id in the body differs from the one in the URL")
    repo = EntityRepository(session, tenant)
    record = await _existing(repo, entity_id)
    moment, now = _now()
    parser = AttributeParser(context, now)
    for name, raw in _attribute_members(body).items():
        iri = context.expand(check_attribute_name(name))
        documents.merge(record.attrs, iri, name, raw, parser, merge_values=True)
    if "type" in body:
        record.types = list(dict.fromkeys([*record.types, *expand_types(body["type"], context)]))
    if "scope" in body:
        record.scopes = None if documents.is_null(body["scope"]) else _scopes(body["scope"])
    await _save(repo, record, moment)


async def delete_entity(session: AsyncSession, tenant: str, *, entity_id: str) -> None:
    """5.6.6 Delete Entity."""
    check_uri(entity_id, "entity id")
    if not await EntityRepository(session, tenant).delete(entity_id):
        raise ResourceNotFound(f"entity {entity_id} not found")


async def append_attributes(
    session: AsyncSession,
    tenant: str,
    *,
    entity_id: str,
    payload: Any,
    context: Context,
    overwrite: bool,
) -> UpdateResult:
    """5.6.3 Append Entity Attributes (noOverwrite keeps existing instances)."""
    body = _object(payload, "attributes")
    repo = EntityRepository(session, tenant)
    record = await _existing(repo, entity_id)
    moment, now = _now()
    incoming = AttributeParser(context, now).attributes(_attribute_members(body))
    result = UpdateResult()
    for iri, instances in incoming.items():
        name = context.compact(iri)
        if documents.put(record.attrs, iri, instances, overwrite=overwrite):
            result.updated.append(name)
        else:
            result.not_updated.append((name, "attribute exists and noOverwrite was given"))
    if "type" in body:
        record.types = list(dict.fromkeys([*record.types, *expand_types(body["type"], context)]))
    if "scope" in body:
        record.scopes = _scopes(body["scope"])
    await _save(repo, record, moment)
    return result


async def update_attributes(
    session: AsyncSession, tenant: str, *, entity_id: str, payload: Any, context: Context
) -> UpdateResult:
    """5.6.2 Update Entity Attributes (V1.9): instances replaced or added; NGSI-LD Null deletes."""
    body = _object(payload, "attributes")
    repo = EntityRepository(session, tenant)
    record = await _existing(repo, entity_id)
    moment, now = _now()
    parser = AttributeParser(context, now)
    result = UpdateResult()
    for name, raw in _attribute_members(body).items():
        iri = context.expand(check_attribute_name(name))
        if documents.is_null(raw):
            dataset_id = raw.get("datasetId") if isinstance(raw, dict) else None
            if documents.remove(record.attrs, iri, dataset_id=dataset_id):
                result.updated.append(name)
            else:
                result.not_updated.append((name, "no such attribute to delete"))
            continue
        documents.put(record.attrs, iri, parser.attribute(name, raw), overwrite=True)
        result.updated.append(name)
    if "scope" in body:
        if record.scopes is None:
            result.not_updated.append(("scope", "the entity has no scope to update"))
        else:
            record.scopes = _scopes(body["scope"])
    if result.updated:
        await _save(repo, record, moment)
    return result


async def update_attribute(
    session: AsyncSession,
    tenant: str,
    *,
    entity_id: str,
    attribute: str,
    payload: Any,
    context: Context,
    replace: bool,
) -> None:
    """5.6.4 Partial Attribute Update, or 5.6.19 Replace Attribute when replace=True."""
    iri = context.expand(check_attribute_name(attribute))
    repo = EntityRepository(session, tenant)
    record = await _existing(repo, entity_id)
    moment, now = _now()
    fragment = documents.as_fragment(payload)
    dataset_id = fragment.get("datasetId")
    instances = record.attrs.get(iri, [])
    index = documents.find_instance(instances, dataset_id)
    if index is None:
        raise _no_attribute(entity_id, attribute, dataset_id)
    parser = AttributeParser(context, now)
    raw = (
        fragment
        if replace
        else documents.overlay(
            instances[index], fragment, parser, merge_values=False, allow_type_change=False
        )
    )
    new = documents.keep_created(parser.instance(attribute, raw), instances[index])
    record.attrs[iri] = [*instances[:index], new, *instances[index + 1 :]]
    await _save(repo, record, moment)


def _no_attribute(entity_id: str, attribute: str, dataset_id: str | None) -> ResourceNotFound:
    which = f" with datasetId {dataset_id}" if dataset_id else ""
    return ResourceNotFound(f"entity {entity_id} has no attribute {attribute}{which}")


async def delete_attribute(
    session: AsyncSession,
    tenant: str,
    *,
    entity_id: str,
    attribute: str,
    context: Context,
    dataset_id: str | None,
    delete_all: bool,
) -> None:
    """5.6.5 Delete Entity Attribute (one instance by datasetId, or all with deleteAll)."""
    iri = context.expand(check_attribute_name(attribute))
    if dataset_id is not None:
        check_uri(dataset_id, "datasetId")
    repo = EntityRepository(session, tenant)
    record = await _existing(repo, entity_id)
    moment, _ = _now()
    if not documents.remove(record.attrs, iri, dataset_id=dataset_id, delete_all=delete_all):
        raise _no_attribute(entity_id, attribute, dataset_id)
    await _save(repo, record, moment)
