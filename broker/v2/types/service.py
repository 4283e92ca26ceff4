"""/v2/types from broker's type discovery and query services.

Type names come from the type discovery of the tenant; each type's count and attributes from a
query of its entities within the service path, so the service path narrows both. Attribute
types are those of the v2 rendering of the first page of entities (at most the broker's page
size), since the store keeps LD kinds (Property), not v2 types (Number).
"""

from typing import Any

from broker.core.errors import ResourceNotFound
from broker.entities.query.grammar import parse_types
from broker.entities.query.selection import EntityQuery, Selector
from broker.types import service as types
from broker.v2 import service
from broker.v2.dependencies import V2Request
from broker.v2.mapping import V2_NAME, check_v2_field


def _attrs(entities: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, set[str]] = {}
    for entity in entities:
        for name, attr in entity.items():
            if name not in ("id", "type"):
                found.setdefault(name, set()).add(attr["type"])
    return {name: {"types": sorted(kinds)} for name, kinds in sorted(found.items())}


async def type_info(r: V2Request, type_name: str, *, page_size: int) -> dict[str, Any] | None:
    """{"attrs", "count"} of a type in the service path; None if it has no entity there."""
    query = EntityQuery(
        selectors=(Selector(types=parse_types(type_name)),),
        scope_q=r.path.scope_query,
    )
    page = await service.query(r, query, limit=page_size, offset=0, count=True)
    if not page.total:
        return None
    return {"attrs": _attrs(page.entities), "count": page.total}


async def retrieve(r: V2Request, type_name: str, *, page_size: int) -> dict[str, Any]:
    info = await type_info(r, check_v2_field(type_name, "entity type"), page_size=page_size)
    if info is None:
        raise ResourceNotFound("Entity type not found")
    return info


async def listed(r: V2Request, *, page_size: int) -> list[dict[str, Any]]:
    """Every type with entities in the service path, in name order."""
    names = await types.entity_types(r.session, r.access, context=r.context, details=False)
    out = []
    for name in sorted(names["typeList"]):
        if not V2_NAME.match(name):
            continue  # an IRI no v2 name compacts to: not a v2 type
        info = await type_info(r, name, page_size=page_size)
        if info is not None:
            out.append({"type": name, **info})
    return out
