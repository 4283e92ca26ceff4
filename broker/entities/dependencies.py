"""Query parameters shared by entity routes, parsed into a Representation."""

from typing import Annotated

from fastapi import Depends, Query

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.errors import BadRequestData, InvalidRequest
from broker.entities.attributes import check_attribute_name
from broker.entities.render import CONCISE, ENTITY_MEMBERS, KEY_VALUES, NORMALIZED, Representation
from broker.jsonld.dependencies import LdContextDep
from broker.jsonld.negotiation import GEO_JSON

EntitiesRead = Annotated[Access, Depends(require(scopes.READ))]
EntitiesWrite = Annotated[Access, Depends(require(scopes.WRITE))]
# Creating entities creates an unknown tenant when auth is disabled (NGSI-LD behaviour).
EntitiesCreate = Annotated[Access, Depends(require(scopes.WRITE, creates_tenant=True))]

# Delete Attribute's instance selection (entity and temporal routes).
DatasetIdQuery = Annotated[str | None, Query(description="the instance (datasetId) to delete")]
DeleteAllQuery = Annotated[bool, Query(description="every instance, of every datasetId")]

# local=true: the registered context sources are not asked (docs/sources.md)
Local = Annotated[bool, Query(description="only entities held locally, no context source asked")]

_FORMAT_OPTIONS = {
    "keyValues": KEY_VALUES,
    "simplified": KEY_VALUES,
    "concise": CONCISE,
    "normalized": NORMALIZED,
}


MAX_NAMES = 100  # attribute names, options... in one parameter: each becomes SQL terms
MAX_IDS = 1000  # entity ids in one parameter (one IN list)


def split_list(value: str | None, what: str, *, most: int = MAX_NAMES) -> list[str]:
    if value is None:
        return []
    items = [item.strip() for item in value.split(",", most)]
    if len(items) > most:
        raise BadRequestData(f"{what} names more than {most} items")
    if not all(items):
        raise BadRequestData(f"{what} has an empty item")
    return items


def check_options(value: str | None, allowed: set[str]) -> set[str]:
    options = set(split_list(value, "options"))
    unknown = options - allowed
    if unknown:
        raise InvalidRequest(f"unknown options {sorted(unknown)}; allowed here: {sorted(allowed)}")
    return options


async def representation(
    ld: LdContextDep,
    options: Annotated[
        str | None, Query(description="keyValues, concise, normalized, sysAttrs")
    ] = None,
    format: Annotated[str | None, Query(description="normalized, concise or keyValues")] = None,
    attrs: Annotated[str | None, Query(description="attribute names to return")] = None,
    pick: Annotated[str | None, Query(description="entity members to return")] = None,
    omit: Annotated[str | None, Query(description="entity members to leave out")] = None,
    lang: Annotated[str | None, Query(description="language of LanguageProperties")] = None,
    geometryProperty: Annotated[
        str | None, Query(description="GeoProperty used as GeoJSON geometry")
    ] = None,
) -> Representation:
    chosen = check_options(options, {*_FORMAT_OPTIONS, "sysAttrs"})
    formats = {_FORMAT_OPTIONS[o] for o in chosen if o in _FORMAT_OPTIONS}
    if format is not None:
        if format not in _FORMAT_OPTIONS:
            raise InvalidRequest(f"format must be one of {sorted(_FORMAT_OPTIONS)}")
        formats.add(_FORMAT_OPTIONS[format])
    if len(formats) > 1:
        raise BadRequestData(f"conflicting representations requested: {sorted(formats)}")
    if pick is not None and omit is not None:
        raise BadRequestData("pick and omit cannot be used together")
    if attrs is not None and (pick is not None or omit is not None):
        raise BadRequestData("attrs cannot be used together with pick or omit")
    context = ld.context

    def members(value: str | None, what: str) -> frozenset[str]:
        names = set()
        for name in split_list(value, what):
            names.add(
                name if name in ENTITY_MEMBERS else context.expand(check_attribute_name(name))
            )
        return frozenset(names)

    selected: frozenset[str] | None = None
    if attrs is not None:
        selected = members(attrs, "attrs") | ENTITY_MEMBERS
    elif pick is not None:
        selected = members(pick, "pick")
    return Representation(
        format=formats.pop() if formats else NORMALIZED,
        sys_attrs="sysAttrs" in chosen,
        pick=selected,
        omit=members(omit, "omit"),
        lang=lang,
        attrs_only=attrs is not None,
        geometry_property=context.expand(check_attribute_name(geometryProperty or "location")),
        geometry_named=geometryProperty is not None,
    )


RepresentationDep = Annotated[Representation, Depends(representation)]


def check_geometry_property(representation: Representation, media_type: str) -> None:
    """geometryProperty names the geometry of a GeoJSON answer (clause 4.5.16): with any other
    media type it is a mistake, not something to ignore."""
    if representation.geometry_named and media_type != GEO_JSON:
        raise BadRequestData("geometryProperty applies only to application/geo+json answers")
