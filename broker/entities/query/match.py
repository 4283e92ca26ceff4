"""An EntityQuery evaluated against one entity in memory, with the semantics of Query Entities.

`compile_matcher` does the per-query work once (names expanded with the @context, regular
expressions compiled, date-times parsed, input checked with the same errors as the SQL path) and
returns a closure that tests an EntityRecord without any I/O. Subscriptions use it to decide
whether a changed entity concerns them; GET /entities is the reference it agrees with:

- selectors (clause 5.2.33) are ORed; within one, ids, idPattern (matched anywhere in the id,
  like PostgreSQL's ~ and SQLite's REGEXP, i.e. Python's re.search) and the type selection
  (expanded type IRIs, `;` and, `,`/`|` or) are ANDed;
- attrs: the entity has at least one of the attributes;
- q: see match_q.py; scopeQ: grammar.scope_matches on any of the entity's scopes;
- geoQ: GeoQuery.matches on the instances of the GeoProperty named by geoproperty.

Regular expressions run on Python's engine; PostgreSQL's `~` (POSIX ARE) agrees on ordinary
patterns but not on every construct (e.g. lookbehind, possessive quantifiers, `\\Z`).
"""

from collections.abc import Callable

from broker.entities.query.geo import GeoQuery
from broker.entities.query.grammar import Exists, Or, Path, scope_matches
from broker.entities.query.match_q import Test, compile_q
from broker.entities.query.selection import EntityQuery, Selector, check_ids, compile_id_pattern
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context


def compile_matcher(query: EntityQuery, context: Context) -> Callable[[EntityRecord], bool]:
    """A test of one entity: True when Query Entities with `query` would return it."""
    tests: list[Test] = []
    if query.selectors:
        selectors = [_selector(s, context) for s in query.selectors]
        tests.append(lambda record: any(selector(record) for selector in selectors))
    if query.attrs:
        tests.append(compile_q(Or(tuple(Exists(Path(a)) for a in sorted(query.attrs))), context))
    if query.q is not None:
        tests.append(compile_q(query.q, context))
    if query.scope_q is not None:
        tests.append(_scope(query.scope_q))
    if query.geo is not None:
        tests.append(_geo(query.geo, context))
    return lambda record: all(test(record) for test in tests)


def _selector(selector: Selector, context: Context) -> Test:
    tests: list[Test] = []
    if selector.ids:
        check_ids(selector.ids)
        ids = frozenset(selector.ids)
        tests.append(lambda record: record.id in ids)
    if selector.id_pattern is not None:
        pattern = compile_id_pattern(selector.id_pattern)
        tests.append(lambda record: pattern.search(record.id) is not None)
    if selector.types is not None:
        groups = [
            frozenset(context.expand(name) for name in group)
            for group in selector.types.alternatives
        ]
        tests.append(lambda record: any(group.issubset(record.types) for group in groups))
    return lambda record: all(test(record) for test in tests)


def _scope(alternatives: tuple[tuple[str, ...], ...]) -> Test:
    def matches(record: EntityRecord) -> bool:
        scopes = record.scopes or ()
        return any(
            all(any(scope_matches(pattern, scope) for scope in scopes) for pattern in group)
            for group in alternatives
        )

    return matches


def _geo(geo: GeoQuery, context: Context) -> Test:
    iri = context.expand(geo.geoproperty)
    return lambda record: geo.matches(record.attrs.get(iri))
