"""Type and attribute discovery (clauses 5.7.5 to 5.7.10)."""

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import ResourceNotFound
from broker.entities.attributes import check_attribute_name, check_name
from broker.jsonld.context import Context
from broker.types.repository import TypeRepository


def _list_id(kind: str) -> str:
    return f"urn:ngsi-ld:{kind}:{uuid.uuid4().hex}"


async def entity_types(
    session: AsyncSession, access: Access, *, context: Context, details: bool
) -> Any:
    """5.7.5 Retrieve Available Entity Types, 5.7.6 Details of Available Entity Types."""
    repo = TypeRepository.of(session, access)
    counts = await repo.type_counts()
    if not details:
        return {
            "id": _list_id("EntityTypeList"),
            "type": "EntityTypeList",
            "typeList": [context.compact(t) for t in counts],
        }
    names: dict[str, set[str]] = defaultdict(set)
    for use in await repo.attribute_uses():
        names[use.entity_type].add(use.attribute)
    return [
        {
            "id": type_iri,
            "type": "EntityType",
            "typeName": context.compact(type_iri),
            "attributeNames": sorted(context.compact(a) for a in names[type_iri]),
        }
        for type_iri in counts
    ]


async def entity_type_info(
    session: AsyncSession, access: Access, *, type_name: str, context: Context
) -> dict[str, Any]:
    """5.7.7 Retrieve Available Entity Type Information."""
    type_iri = context.expand(check_name(type_name, "type"))
    repo = TypeRepository.of(session, access)
    counts = await repo.type_counts(type_iri)
    if not counts:
        raise ResourceNotFound(f"no entity of type {type_name}")
    kinds: dict[str, set[str]] = defaultdict(set)
    for use in await repo.attribute_uses(type_iri=type_iri):
        kinds[use.attribute].add(use.attribute_type)
    return {
        "id": type_iri,
        "type": "EntityTypeInfo",
        "typeName": context.compact(type_iri),
        "entityCount": counts[type_iri],
        "attributeDetails": [
            {
                "id": attribute,
                "type": "Attribute",
                "attributeName": context.compact(attribute),
                "attributeTypes": sorted(kinds[attribute]),
            }
            for attribute in sorted(kinds)
        ],
    }


def _attribute(attribute: str, uses: list[Any], count: int, context: Context) -> dict[str, Any]:
    return {
        "id": attribute,
        "type": "Attribute",
        "attributeName": context.compact(attribute),
        "attributeCount": count,
        "attributeTypes": sorted({u.attribute_type for u in uses}),
        "typeNames": sorted({context.compact(u.entity_type) for u in uses}),
    }


async def attributes(
    session: AsyncSession, access: Access, *, context: Context, details: bool
) -> Any:
    """5.7.8 Retrieve Available Attributes, 5.7.9 Details of Available Attributes."""
    repo = TypeRepository.of(session, access)
    by_attribute: dict[str, list[Any]] = defaultdict(list)
    for use in await repo.attribute_uses():
        by_attribute[use.attribute].append(use)
    if not details:
        return {
            "id": _list_id("AttributeList"),
            "type": "AttributeList",
            "attributeList": sorted(context.compact(a) for a in by_attribute),
        }
    counts = await repo.attribute_counts()
    return [_attribute(a, uses, counts[a], context) for a, uses in sorted(by_attribute.items())]


async def attribute_info(
    session: AsyncSession, access: Access, *, attribute: str, context: Context
) -> dict[str, Any]:
    """5.7.10 Retrieve Available Attribute Information."""
    iri = context.expand(check_attribute_name(attribute))
    repo = TypeRepository.of(session, access)
    uses = await repo.attribute_uses(attribute=iri)
    if not uses:
        raise ResourceNotFound(f"no entity has attribute {attribute}")
    counts = await repo.attribute_counts(iri)
    return _attribute(iri, uses, counts[iri], context)
