"""The Query data type of a request body (clause 5.2.23), parsed into an EntityQuery: one
parser for POST /entityOperations/query and POST /temporal/entityOperations/query."""

from typing import Any

from broker.core.errors import BadRequestData
from broker.entities.attributes import check_attribute_name
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.entities.query.selection import EntityQuery, Selector


def query_from_body(data: Any) -> EntityQuery:
    """The entities a Query body selects; its temporalQ is read by the temporal routes."""
    if not isinstance(data, dict) or data.get("type") != "Query":
        raise BadRequestData('the body must be a Query object with "type": "Query"')
    if data.get("entities") == [] or data.get("attrs") == []:
        raise BadRequestData("entities and attrs, when given, must not be empty")
    join_level = data.get("joinLevel")
    if join_level is not None and (
        isinstance(join_level, bool) or not isinstance(join_level, int) or join_level < 1
    ):
        raise BadRequestData("joinLevel must be a positive integer")
    selectors = []
    for item in data.get("entities") or []:
        if not isinstance(item, dict):
            raise BadRequestData("entities must be a list of EntitySelector objects")
        ids = item.get("id")
        selectors.append(
            Selector(
                ids=tuple(ids if isinstance(ids, list) else [ids]) if ids else (),
                id_pattern=item.get("idPattern"),
                types=parse_types(item["type"]) if item.get("type") else None,
            )
        )
    attrs = data.get("attrs") or []
    if not isinstance(attrs, list) or not all(isinstance(a, str) for a in attrs):
        raise BadRequestData("attrs must be a list of attribute names")
    geo_q = data.get("geoQ")
    if geo_q is not None and not isinstance(geo_q, dict):
        raise BadRequestData("geoQ must be an object")
    geo_q = geo_q or {}
    for key in ("q", "scopeQ"):
        if key in data and not isinstance(data[key], str):
            raise BadRequestData(f"{key} must be a string")
    return EntityQuery(
        selectors=tuple(selectors),
        attrs=frozenset(check_attribute_name(a) for a in attrs),
        q=parse_q(data["q"]) if data.get("q") is not None else None,
        scope_q=parse_scope_query(data["scopeQ"]) if data.get("scopeQ") is not None else None,
        geo=parse_geo_query(
            geo_q.get("georel"),
            geo_q.get("geometry"),
            geo_q.get("coordinates"),
            geo_q.get("geoproperty"),
        ),
    )
