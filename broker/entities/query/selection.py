"""What Query Entities selects (clause 5.7.2.3), parsed and checked, free of any SQL.

The router builds an EntityQuery from the request, the service checks it (`check_query`), the
query repository compiles it to SQL and the in-memory matcher (match.py) to a closure: the two
agree on every filter (tests/broker/entities/test_match_agreement.py).
"""

import re
from dataclasses import dataclass, field

from broker.core.errors import BadRequestData
from broker.entities.attributes import check_uri
from broker.entities.query.geo import GeoQuery
from broker.entities.query.grammar import Query, TypeSelection


@dataclass(frozen=True)
class Selector:
    """One EntitySelector (clause 5.2.33): ids, an id pattern and a type selection, all ANDed."""

    ids: tuple[str, ...] = ()
    id_pattern: str | None = None
    types: TypeSelection | None = None


@dataclass(frozen=True)
class EntityQuery:
    """What to select (clause 5.7.2.3): selectors are ORed, every other filter ANDed."""

    selectors: tuple[Selector, ...] = ()
    attrs: frozenset[str] = field(default_factory=frozenset)  # names as the client wrote them
    q: Query | None = None
    scope_q: tuple[tuple[str, ...], ...] | None = None
    geo: GeoQuery | None = None


def check_ids(ids: tuple[str, ...]) -> None:
    for entity_id in ids:
        check_uri(entity_id, "id")


def compile_id_pattern(pattern: str) -> re.Pattern[str]:
    """idPattern, matched anywhere in the id (PostgreSQL's ~, SQLite's REGEXP: re.search)."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise BadRequestData(f"idPattern is not a valid regular expression: {exc}") from exc


def check_query(query: EntityQuery) -> None:
    """The checks of the selectors that come before any SQL (400 BadRequestData)."""
    for selector in query.selectors:
        check_ids(selector.ids)
        if selector.id_pattern is not None:
            compile_id_pattern(selector.id_pattern)
