"""v2 query parameters (and the /v2/op/query body) as the broker's EntityQuery.

v2's q and mq share NGSI-LD's simple query language for the common forms (`a>1;b==x`,
`a==1..5`, `a==x,y`, `a`, `!a`); mq's `attr.meta` is an LD sub-attribute path, with TimeInstant
as observedAt. v2 geo-queries are rewritten to LD's (lat,lon coordinates, `maxDistance:`).
"""

import json
import re
from dataclasses import dataclass

from broker.core.errors import BadRequestData
from broker.entities.query.geo import GeoQuery, parse_geo_query
from broker.entities.query.grammar import parse_q, parse_types
from broker.entities.query.selection import EntityQuery, Selector
from broker.v2.mapping import URN_PREFIX, check_v2_field, ld_id

_GEOMETRIES = {"point": "Point", "line": "LineString", "polygon": "Polygon", "box": "Polygon"}
_NEAR = re.compile(r"^near;(maxDistance|minDistance):(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class V2Filter:
    """A v2 query's parameters, as given."""

    id: str | None = None
    id_pattern: str | None = None
    type: str | None = None
    type_pattern: str | None = None
    q: str | None = None
    mq: str | None = None
    georel: str | None = None
    geometry: str | None = None
    coords: str | None = None


def id_selector(v2_ids: list[str], types: list[str]) -> Selector:
    """Entities whose v2 id is one of these: the URN of each type, or any type's URN."""
    if types:
        ids = tuple(ld_id(i, t) for i in v2_ids for t in types)
        return Selector(ids=ids, types=parse_types(",".join(types)))
    alternatives = "|".join(re.escape(i) for i in v2_ids)
    return Selector(id_pattern=f"^({re.escape(URN_PREFIX)}[^:]+:)?({alternatives})$")


def v2_pattern(pattern: str) -> str:
    """An idPattern on v2 ids, on the LD ids: anchored patterns skip the URN prefix."""
    if pattern.startswith("^"):
        return f"^({re.escape(URN_PREFIX)}[^:]+:)?(?:{pattern[1:]})"
    return pattern


def _coords(geometry: str, text: str) -> object:
    try:
        points = [[float(c) for c in p.split(",")][::-1] for p in text.split(";")]
    except ValueError as exc:
        raise BadRequestData("coords must be 'lat,lon;lat,lon...'") from exc
    if geometry == "point":
        return points[0]
    if geometry == "line":
        return points
    if geometry == "box":
        (w, s), (e, n) = points[0], points[1]
        return [[[w, s], [e, s], [e, n], [w, n], [w, s]]]
    return [points]


def _geo(f: V2Filter) -> GeoQuery | None:
    if f.georel is None and f.geometry is None and f.coords is None:
        return None
    if f.georel is None or f.geometry is None or f.coords is None:
        raise BadRequestData("georel, geometry and coords must be given together")
    if f.geometry not in _GEOMETRIES:
        raise BadRequestData(f"geometry must be one of {sorted(_GEOMETRIES)}")
    near = _NEAR.match(f.georel)
    relation = f"near;{near.group(1)}=={near.group(2)}" if near else f.georel
    relation = "within" if relation == "coveredBy" else relation
    coordinates = json.dumps(_coords(f.geometry, f.coords))
    return parse_geo_query(relation, _GEOMETRIES[f.geometry], coordinates, "location")


def _q(f: V2Filter) -> str | None:
    parts = [f.q] if f.q else []
    if f.mq:
        parts.append(f.mq.replace(".TimeInstant", ".observedAt"))
    return ";".join(parts) or None


def entity_query(f: V2Filter, scope_q: tuple[tuple[str, ...], ...] | None) -> EntityQuery:
    """The EntityQuery of a v2 filter, within the service path's scopes."""
    if f.type_pattern is not None:
        raise BadRequestData("typePattern is not supported")
    if f.id is not None and f.id_pattern is not None:
        raise BadRequestData("Incompatible parameters: id, IdPattern")
    types = [check_v2_field(t, "entity type") for t in f.type.split(",")] if f.type else []
    if f.id is not None:
        selector = id_selector(f.id.split(","), types)
    else:
        selector = Selector(
            id_pattern=v2_pattern(f.id_pattern) if f.id_pattern else None,
            types=parse_types(",".join(types)) if types else None,
        )
    q = _q(f)
    return EntityQuery(
        selectors=(selector,) if (selector.ids or selector.id_pattern or selector.types) else (),
        q=parse_q(q) if q else None,
        scope_q=scope_q,
        geo=_geo(f),
    )
