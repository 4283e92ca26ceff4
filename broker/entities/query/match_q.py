"""A parsed q query (clause 4.9) compiled into a test of one entity in memory.

The twin of QueryCompiler in sql.py, rule for rule: paths resolve with query/paths.py; an
attribute matches when any instance does; the value a path selects stands for its ``@value``
when it is a JSON-LD value object; an array matches when any element does (one level); only
scalars compare (objects and nested arrays never do); numbers compare with numbers, booleans with
booleans, strings (and date-times, dates, times, which compare as text) with strings in
code-point order; ``!=`` and ``!~=`` need the path to exist and no instance to match the positive
form; ``createdAt`` and ``modifiedAt`` alone compare the entity's own timestamps.
"""

import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from broker.core.errors import BadRequestData
from broker.entities.query.grammar import (
    And,
    Comparison,
    Exists,
    Literal,
    Or,
    Path,
    Query,
    Range,
)
from broker.entities.query.paths import (
    OTHER_VALUE_MEMBERS,
    ResolvedPath,
    entity_time_moment,
    names_entity_time,
    resolve_path,
)
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context

Test = Callable[[EntityRecord], bool]
Scalar = Callable[[Any], bool]
Locate = Callable[[Any], Any]

_MISSING: Any = object()  # what a path selects where there is nothing
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_ENTITY_TIME_FIELDS = {"createdAt": "created_at", "modifiedAt": "modified_at"}


def compile_q(query: Query, context: Context) -> Test:
    if isinstance(query, And):
        terms = [compile_q(t, context) for t in query.terms]
        return lambda record: all(term(record) for term in terms)
    if isinstance(query, Or):
        terms = [compile_q(t, context) for t in query.terms]
        return lambda record: any(term(record) for term in terms)
    if isinstance(query, Exists):
        exists = _exists(query.path, context)
        return (lambda record: not exists(record)) if query.negated else exists
    return _comparison(query, context)


def _exists(path: Path, context: Context) -> Test:
    if names_entity_time(path):
        return lambda record: True
    resolved = resolve_path(path, context)
    iri = resolved.iri
    if resolved.whole_attribute:
        return lambda record: iri in record.attrs
    locate = _locator(resolved)
    return lambda record: any(locate(i) is not _MISSING for i in _instances(record, iri))


def _instances(record: EntityRecord, iri: str) -> Iterable[Any]:
    found = record.attrs.get(iri)
    return found if isinstance(found, list) else ()


def _locator(path: ResolvedPath) -> Locate:
    """What the path selects inside one attribute instance (_MISSING if nothing)."""
    subs, member, keys = path.subs, path.member, path.keys

    def locate(instance: Any) -> Any:
        node = instance
        for sub in subs:
            node = node.get(sub, _MISSING) if isinstance(node, dict) else _MISSING
        if not isinstance(node, dict):
            return _MISSING
        if member is not None:
            return node.get(member, _MISSING)
        kind = node.get("type")
        name = OTHER_VALUE_MEMBERS.get(kind, "value") if isinstance(kind, str) else "value"
        value = node.get(name, _MISSING)
        for key in keys:
            value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        return value

    return locate


def _comparison(node: Comparison, context: Context) -> Test:
    if names_entity_time(node.path):
        return _entity_time(node)
    resolved = resolve_path(node.path, context)
    matches = _matches(resolved, _predicate(node))
    if node.op in ("!=", "!~="):
        exists = _exists(node.path, context)
        return lambda record: exists(record) and not matches(record)
    return matches


def _entity_time(node: Comparison) -> Test:
    moment = entity_time_moment(node)
    field = _ENTITY_TIME_FIELDS[node.path.attribute]
    compare = _COMPARE[node.op]
    return lambda record: compare(getattr(record, field), moment)


def _matches(path: ResolvedPath, predicate: Scalar) -> Test:
    """Some instance's selected value (or one element of it) satisfies the predicate."""
    locate = _locator(path)
    iri = path.iri

    def matches(record: EntityRecord) -> bool:
        for instance in _instances(record, iri):
            value = locate(instance)
            if value is _MISSING:
                continue
            if isinstance(value, dict) and "@value" in value:
                value = value["@value"]
            elements = value if isinstance(value, list) else (value,)
            if any(predicate(element) for element in elements):
                return True
        return False

    return matches


def _predicate(node: Comparison) -> Scalar:
    value = node.value
    if node.op in ("~=", "!~="):
        pattern = re.compile(str(value))  # re.search, as SQLite's REGEXP does
        return lambda v: isinstance(v, str) and pattern.search(v) is not None
    if isinstance(value, Range):
        low = _scalar(value.low, ">=")
        high = _scalar(value.high, "<=")
        return lambda v: low(v) and high(v)
    if isinstance(value, tuple):
        tests = [_scalar(v, "==") for v in value]
        return lambda v: any(test(v) for test in tests)
    assert isinstance(value, Literal)
    # != is tested as "exists and not ==" around the whole term (see _comparison).
    return _scalar(value, "==" if node.op == "!=" else node.op)


def _scalar(literal: Literal, op: str) -> Scalar:
    compare = _COMPARE[op]
    expected = literal.value
    if literal.kind == "boolean":
        if op != "==":
            raise BadRequestData("booleans compare only with == and !=")
        return lambda v: isinstance(v, bool) and v is expected
    if literal.kind == "number":
        return lambda v: (
            isinstance(v, int | float) and not isinstance(v, bool) and compare(v, expected)
        )
    return lambda v: isinstance(v, str) and compare(v, expected)
