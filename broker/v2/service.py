"""The v2 operations, as calls to broker's entity and query services (one store, one rule set).

Every entity a v2 request names is first found by its v2 id within the request's service path
(`find`), so an entity outside the path is not found, and the LD id the services take is the
stored one.
"""

from dataclasses import dataclass
from typing import Any

from broker.core.errors import ResourceNotFound
from broker.entities import service as entities
from broker.entities.query import service as query_service
from broker.entities.query.selection import EntityQuery
from broker.entities.query.service import QueryResult
from broker.entities.render import Representation, render_entity
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context
from broker.v2 import mapping
from broker.v2.dependencies import V2Request
from broker.v2.errors import AmbiguousEntity, Unprocessable
from broker.v2.query import V2Filter, entity_query

NOT_FOUND = "The requested entity has not been found. Check type and id"
NO_ATTRIBUTE = "The entity does not have such attribute"


@dataclass
class Page:
    entities: list[dict[str, Any]]
    total: int | None


def _v2(record: EntityRecord, context: Context) -> dict[str, Any]:
    return mapping.from_ld_entity(render_entity(record, context, Representation()))


async def _run(
    r: V2Request, query: EntityQuery, *, limit: int, offset: int, count: bool
) -> QueryResult:
    return await query_service.query_entities(
        r.session,
        r.access,
        query=query,
        context=r.context,
        representation=Representation(),
        limit=limit,
        offset=offset,
        count=count,
    )


async def find(r: V2Request, v2_id: str, v2_type: str | None) -> EntityRecord:
    """The one entity of this v2 id (and type) in the service path; 404 or 409."""
    query = entity_query(V2Filter(id=v2_id, type=v2_type), r.path.scope_query)
    result = await _run(r, query, limit=2, offset=0, count=False)
    if not result.records:
        raise ResourceNotFound(NOT_FOUND)
    if len(result.records) > 1:
        raise AmbiguousEntity("More than one matching entity. Please refine your query")
    return result.records[0]


async def query(r: V2Request, query: EntityQuery, *, limit: int, offset: int, count: bool) -> Page:
    result = await _run(r, query, limit=limit, offset=offset, count=count)
    return Page([_v2(record, r.context) for record in result.records], result.total)


async def retrieve(r: V2Request, v2_id: str, v2_type: str | None) -> dict[str, Any]:
    return _v2(await find(r, v2_id, v2_type), r.context)


async def create(r: V2Request, body: Any, *, key_values: bool, upsert: bool) -> bool:
    """POST /v2/entities; with upsert an existing entity is appended to. True if created."""
    payload = mapping.to_ld_entity(body, key_values=key_values)
    scope = r.path.scope
    if scope is not None:
        payload["scope"] = scope
    if upsert:
        try:
            record = await find(r, body["id"], payload["type"])
        except ResourceNotFound:
            pass
        else:
            attrs = {k: v for k, v in body.items() if k not in ("id", "type")}
            await _append(r, record, _merged(r, record, attrs, key_values=key_values), strict=False)
            return False
    await entities.create_entity(r.session, r.access, payload=payload, context=r.context)
    return True


def _merged(r: V2Request, record: EntityRecord, body: Any, *, key_values: bool) -> dict[str, Any]:
    """The LD fragment of an update: types kept and metadata merged as Orion does."""
    current = _v2(record, r.context)
    return mapping.to_ld_attributes(mapping.merged_attributes(body, current, key_values=key_values))


async def _append(
    r: V2Request, record: EntityRecord, attrs: dict[str, Any], *, strict: bool
) -> None:
    result = await entities.append_attributes(
        r.session,
        r.access,
        entity_id=record.id,
        payload=attrs,
        context=r.context,
        overwrite=not strict,
    )
    if not result.complete:
        raise Unprocessable("Attributes already exist")


async def append(
    r: V2Request, v2_id: str, v2_type: str | None, body: Any, *, key_values: bool, strict: bool
) -> None:
    """POST /attrs: add attributes, overwriting existing ones unless options=append."""
    record = await find(r, v2_id, v2_type)
    await _append(r, record, _merged(r, record, body, key_values=key_values), strict=strict)


async def update(
    r: V2Request, v2_id: str, v2_type: str | None, body: Any, *, key_values: bool
) -> None:
    """PATCH /attrs: update existing attributes only (422 if one does not exist)."""
    record = await find(r, v2_id, v2_type)
    attrs = _merged(r, record, body, key_values=key_values)
    missing = [name for name in attrs if r.context.expand(name) not in record.attrs]
    if missing:
        raise Unprocessable(f"do not exist: {v2_id} - [ {', '.join(missing)} ]")
    await _append(r, record, attrs, strict=False)


async def replace_attrs(
    r: V2Request, v2_id: str, v2_type: str | None, body: Any, *, key_values: bool
) -> None:
    """PUT /attrs: the entity's attributes become these (id, type and scope kept)."""
    record = await find(r, v2_id, v2_type)
    payload = {
        "id": record.id,
        "type": [r.context.compact(t) for t in record.types],
        **mapping.to_ld_attributes(body, key_values=key_values),
    }
    if record.scopes:
        payload["scope"] = record.scopes
    await entities.replace_entity(
        r.session, r.access, entity_id=record.id, payload=payload, context=r.context
    )


async def delete(r: V2Request, v2_id: str, v2_type: str | None) -> None:
    record = await find(r, v2_id, v2_type)
    await entities.delete_entity(r.session, r.access, entity_id=record.id)


async def attribute(r: V2Request, v2_id: str, v2_type: str | None, name: str) -> dict[str, Any]:
    entity = await retrieve(r, v2_id, v2_type)
    if name in ("id", "type") or name not in entity:
        raise ResourceNotFound(NO_ATTRIBUTE)
    attr: dict[str, Any] = entity[name]
    return attr


async def put_attribute(
    r: V2Request, v2_id: str, v2_type: str | None, name: str, body: Any
) -> None:
    """PUT /attrs/{attr}: the attribute (which must exist) becomes this one."""
    record = await find(r, v2_id, v2_type)
    if r.context.expand(name) not in record.attrs:
        raise ResourceNotFound(NO_ATTRIBUTE)
    attrs = mapping.to_ld_attributes({name: body})
    await entities.update_attribute(
        r.session,
        r.access,
        entity_id=record.id,
        attribute=name,
        payload=attrs[name],
        context=r.context,
        replace=True,
    )


async def put_value(r: V2Request, v2_id: str, v2_type: str | None, name: str, value: Any) -> None:
    """PUT /attrs/{attr}/value: a new value; the attribute's type and metadata stay."""
    current = await attribute(r, v2_id, v2_type, name)
    await put_attribute(r, v2_id, v2_type, name, {**current, "value": value})


async def delete_attribute(r: V2Request, v2_id: str, v2_type: str | None, name: str) -> None:
    record = await find(r, v2_id, v2_type)
    if r.context.expand(name) not in record.attrs:
        raise ResourceNotFound(NO_ATTRIBUTE)
    await entities.delete_attribute(
        r.session,
        r.access,
        entity_id=record.id,
        attribute=name,
        context=r.context,
        dataset_id=None,
        delete_all=True,
    )


async def batch_update(r: V2Request, action: str, items: list[dict[str, Any]]) -> None:
    """POST /v2/op/update, every entity in the request's one transaction (all or nothing)."""
    for item in items:
        v2_id, v2_type = item.get("id"), item.get("type")
        attrs = {k: v for k, v in item.items() if k not in ("id", "type")}
        if not isinstance(v2_id, str):
            raise ResourceNotFound("entity id is missing")
        if action in ("append", "appendStrict"):
            try:
                await append(r, v2_id, v2_type, attrs, key_values=False, strict=action != "append")
            except ResourceNotFound:
                await create(r, item, key_values=False, upsert=False)
        elif action == "update":
            await update(r, v2_id, v2_type, attrs, key_values=False)
        elif action == "replace":
            await replace_attrs(r, v2_id, v2_type, attrs, key_values=False)
        elif not attrs:
            await delete(r, v2_id, v2_type)
        else:
            for name in attrs:
                await delete_attribute(r, v2_id, v2_type, name)
