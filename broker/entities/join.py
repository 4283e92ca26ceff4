"""Clause 4.5.23 (V1.8): linked entity retrieval, join=flat|inline|@none with joinLevel.

Relationships of the answered entities name other entities by `object`; with join=flat those
entities (and, up to joinLevel hops, the ones they name) follow the answer as more top-level
entities; with join=inline each Relationship instance carries them: `entity` for a single object,
`entityList` for an object list (in keyValues the relationship's value becomes the entity).
Linked entities are read from the local store only and shown in the same representation.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import BadRequestData
from broker.entities.render import KEY_VALUES, Representation, render_entity
from broker.entities.repository import EntityRecord, EntityRepository
from broker.jsonld.context import Context

FLAT = "flat"
INLINE = "inline"


@dataclass(frozen=True, slots=True)
class Join:
    mode: str | None = None  # None: no join (@none or absent)
    level: int = 1


async def join_parameters(
    join: Annotated[str | None, Query(description="linked entities: flat, inline or @none")] = None,
    joinLevel: Annotated[
        str | None, Query(description="how many relationship hops join follows (default 1)")
    ] = None,
) -> Join:
    if join is not None and join not in (FLAT, INLINE, "@none"):
        raise BadRequestData("join must be flat, inline or @none")
    level = 1
    if joinLevel is not None:
        if not joinLevel.isdigit() or int(joinLevel) < 1:
            raise BadRequestData("joinLevel must be a positive integer")
        level = int(joinLevel)
    return Join(join if join in (FLAT, INLINE) else None, level)


JoinDep = Annotated[Join, Depends(join_parameters)]


def _objects(record: EntityRecord, rep: Representation) -> dict[str, list[list[str]]]:
    """Shown relationship IRI -> per instance, the entity ids it names."""
    found: dict[str, list[list[str]]] = {}
    for iri, instances in record.attrs.items():
        if not rep.shows(iri):
            continue
        for instance in instances:
            if instance.get("type") != "Relationship":
                continue
            value = instance.get("object")
            ids = value if isinstance(value, list) else [value]
            found.setdefault(iri, []).append([i for i in ids if isinstance(i, str)])
    return found


async def _linked(
    session: AsyncSession, access: Access, records: list[EntityRecord], rep: Representation
) -> dict[str, EntityRecord]:
    wanted = [i for r in records for per in _objects(r, rep).values() for ids in per for i in ids]
    return await EntityRepository.of(session, access).get_many(wanted) if wanted else {}


async def flat(
    session: AsyncSession,
    access: Access,
    records: list[EntityRecord],
    context: Context,
    rep: Representation,
    level: int,
) -> list[dict[str, Any]]:
    """The linked entities to append to the answer, each once, none already answered."""
    seen = {r.id for r in records}
    out: list[dict[str, Any]] = []
    frontier = records
    for _ in range(level):
        linked = [r for i, r in (await _linked(session, access, frontier, rep)).items()]
        frontier = [r for r in linked if r.id not in seen]
        seen.update(r.id for r in frontier)
        out.extend(render_entity(r, context, rep) for r in frontier)
        if not frontier:
            break
    return out


async def inline(
    session: AsyncSession,
    access: Access,
    record: EntityRecord,
    rendered: dict[str, Any],
    context: Context,
    rep: Representation,
    level: int,
) -> dict[str, Any]:
    """`rendered` (the entity of `record`) with its relationships' targets nested in them."""
    if level < 1:
        return rendered
    objects = _objects(record, rep)
    linked = await _linked(session, access, [record], rep)
    for iri, per_instance in objects.items():
        name = context.compact(iri)
        shown = rendered.get(name)
        instances = shown if isinstance(shown, list) else [shown]
        if rep.format == KEY_VALUES:
            instances = [shown]
        for position, ids in enumerate(per_instance[: len(instances)]):
            nested = [
                await inline(
                    session,
                    access,
                    linked[i],
                    render_entity(linked[i], context, rep),
                    context,
                    rep,
                    level - 1,
                )
                for i in ids
                if i in linked
            ]
            if not nested:
                continue
            target = instances[position]
            single = len(ids) == 1 and not isinstance(target, list)
            if rep.format == KEY_VALUES:
                rendered[name] = nested[0] if single else nested
            elif isinstance(target, dict):
                target["entity" if single else "entityList"] = nested[0] if single else nested
            else:  # concise, value only: the Relationship object form takes the entity
                instances[position] = {"object": target, "entity": nested[0]}
                if not isinstance(shown, list):
                    rendered[name] = instances[position]
                else:
                    rendered[name] = instances
    return rendered


def join_of_body(data: Any, given: Join) -> Join:
    """The Query data type's own join / joinLevel members (POST /entityOperations/query)."""
    if not isinstance(data, dict) or ("join" not in data and "joinLevel" not in data):
        return given
    mode, level = data.get("join", given.mode), data.get("joinLevel", given.level)
    if mode is not None and mode not in (FLAT, INLINE, "@none"):
        raise BadRequestData("join must be flat, inline or @none")
    if isinstance(level, bool) or not isinstance(level, int) or level < 1:
        raise BadRequestData("joinLevel must be a positive integer")
    return Join(mode if mode in (FLAT, INLINE) else None, level)


async def joined_entity(
    session: AsyncSession,
    access: Access,
    entity: Any,
    context: Context,
    rep: Representation,
    join: Join,
) -> Any:
    """Retrieve Entity's answer with its linked entities (an array with join=flat)."""
    if join.mode is None or not isinstance(entity, dict) or "id" not in entity:
        return entity
    record = await EntityRepository.of(session, access).get(entity["id"])
    if record is None:  # held by a context source only: nothing local to follow
        return [entity] if join.mode == FLAT else entity
    if join.mode == INLINE:
        return await inline(session, access, record, entity, context, rep, join.level)
    return [entity, *await flat(session, access, [record], context, rep, join.level)]


async def joined_entities(
    session: AsyncSession,
    access: Access,
    result: Any,
    context: Context,
    rep: Representation,
    join: Join,
) -> None:
    """Query Entities' answer (a QueryResult) with its linked entities, in place."""
    if join.mode is None:
        return
    records = {r.id: r for r in result.records}
    if join.mode == FLAT:
        answered = [records[e["id"]] for e in result.entities if e.get("id") in records]
        extra = await flat(session, access, answered, context, rep, join.level)
        shown = {e.get("id") for e in result.entities}
        result.entities.extend(e for e in extra if e.get("id") not in shown)
        return
    for entity in result.entities:
        if entity.get("id") in records:
            await inline(session, access, records[entity["id"]], entity, context, rep, join.level)
