"""Translation of parsed NGSI-LD queries into SQL on SQLite and PostgreSQL.

Every user value and every attribute name reaches the database as a bound parameter; the SQL
text is assembled only from fixed fragments. An attribute matches when any of its instances
(datasetIds) matches, and a value that is an array matches when any element does.
"""

from collections.abc import Callable
from itertools import count
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from broker.core.errors import BadRequestData
from broker.entities.models import Entity
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
from broker.jsonld.context import Context

_SQL_OPS = {"==": "=", "!=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_ENTITY_TIMES = {"createdAt": Entity.created_at, "modifiedAt": Entity.modified_at}


def _sqlite_key(key: str) -> str:
    return '."' + key.replace('"', "") + '"'


class QueryCompiler:
    """Builds WHERE clauses for one query; bind parameter names are unique per compiler."""

    def __init__(self, dialect: str, context: Context) -> None:
        self.pg = dialect == "postgresql"
        self.context = context
        self._names = count()

    def _bind(self, params: dict[str, Any], value: Any) -> str:
        name = f"q{next(self._names)}"
        params[name] = value
        return ":" + name

    def _text(self, sql: str, params: dict[str, Any]) -> ColumnElement[bool]:
        return sa.text(f"({sql})").bindparams(**params)  # type: ignore[return-value]

    def _not(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        """NOT of a condition (sa.not_ does not negate textual SQL)."""
        if isinstance(condition, sa.TextClause):
            return sa.text(f"NOT {condition.text}").bindparams(*condition._bindparams.values())
        return sa.not_(condition)

    def compile(self, query: Query) -> ColumnElement[bool]:
        if isinstance(query, And):
            return sa.and_(*(self.compile(t) for t in query.terms))
        if isinstance(query, Or):
            return sa.or_(*(self.compile(t) for t in query.terms))
        if isinstance(query, Exists):
            exists = self._exists(query.path)
            return self._not(exists) if query.negated else exists
        return self._comparison(query)

    # -- paths ----------------------------------------------------------------------------

    def _exists(self, path: Path) -> ColumnElement[bool]:
        if names_entity_time(path):
            return sa.true()
        resolved = resolve_path(path, self.context)
        params: dict[str, Any] = {}
        if self.pg:
            attr = self._bind(params, resolved.iri)
            if resolved.whole_attribute:
                return self._text(f"jsonb_exists(entities.attrs, {attr})", params)
            inner = self._pg_value_prefix(resolved, params)
            return self._text(
                f"EXISTS (SELECT 1 FROM jsonb_array_elements(entities.attrs -> {attr}) AS i(v) "
                f"WHERE {inner} IS NOT NULL)",
                params,
            )
        attr = self._bind(params, "$" + _sqlite_key(resolved.iri))
        if resolved.whole_attribute:
            return self._text(f"json_type(entities.attrs, {attr}) IS NOT NULL", params)
        inner = self._sqlite_member_path(resolved, params)
        return self._text(
            f"EXISTS (SELECT 1 FROM json_each(entities.attrs, {attr}) AS i "
            f"WHERE json_type(i.value, {inner}) IS NOT NULL)",
            params,
        )

    def _pg_value_prefix(self, path: ResolvedPath, params: dict[str, Any]) -> str:
        """The JSON value a path points at inside instance `i.v` (PostgreSQL)."""
        node = "i.v"
        for sub in path.subs:
            node = f"({node} -> {self._bind(params, sub)})"
        if path.member:
            return f"({node} -> {self._bind(params, path.member)})"
        cases = " ".join(
            f"WHEN '{attribute_type}' THEN {node} -> '{name}'"
            for attribute_type, name in OTHER_VALUE_MEMBERS.items()
        )
        value = f"(CASE {node} ->> 'type' {cases} ELSE {node} -> 'value' END)"
        if path.keys:
            value = f"({value} #> CAST({self._bind(params, list(path.keys))} AS text[]))"
        return value

    def _sqlite_member_path(self, path: ResolvedPath, params: dict[str, Any]) -> str:
        """A JSON path expression to the value a path points at inside instance `i` (SQLite)."""
        prefix = "$" + "".join(_sqlite_key(s) for s in path.subs)
        if path.member:
            return self._bind(params, prefix + _sqlite_key(path.member))
        suffix = "".join(_sqlite_key(k) for k in path.keys)
        type_path = self._bind(params, prefix + ".type")
        cases = " ".join(
            f"WHEN '{attribute_type}' THEN {self._bind(params, prefix + '.' + name + suffix)}"
            for attribute_type, name in OTHER_VALUE_MEMBERS.items()
        )
        default = self._bind(params, prefix + ".value" + suffix)
        return f"(CASE json_extract(i.value, {type_path}) {cases} ELSE {default} END)"

    # -- comparisons ----------------------------------------------------------------------

    def _comparison(self, node: Comparison) -> ColumnElement[bool]:
        if names_entity_time(node.path):
            return self._entity_time(node)
        matches = self._matches(node)
        if node.op in ("!=", "!~="):
            return sa.and_(self._exists(node.path), self._not(matches))
        return matches

    def _entity_time(self, node: Comparison) -> ColumnElement[bool]:
        column = _ENTITY_TIMES[node.path.attribute]
        moment = entity_time_moment(node)
        ops = {
            "==": column == moment,
            "!=": column != moment,
            ">": column > moment,
            ">=": column >= moment,
            "<": column < moment,
            "<=": column <= moment,
        }
        return ops[node.op]

    def _matches(self, node: Comparison) -> ColumnElement[bool]:
        """Some instance's value (or array element) satisfies the positive form of node."""
        resolved = resolve_path(node.path, self.context)
        params: dict[str, Any] = {}
        predicate = self._predicate(node, params)
        if self.pg:
            return self._text(self._pg_matches(resolved, predicate, params), params)
        return self._text(self._sqlite_matches(resolved, predicate, params), params)

    def _pg_matches(self, path: ResolvedPath, predicate: str, params: dict[str, Any]) -> str:
        target = self._pg_value_prefix(path, params)
        target = f"COALESCE({target} -> '@value', {target})"
        elements = (
            "jsonb_array_elements(CASE WHEN jsonb_typeof(t.v) = 'array' THEN t.v "
            "ELSE jsonb_build_array(t.v) END) AS s(v)"
        )
        attr = self._bind(params, path.iri)
        return (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements(entities.attrs -> {attr}) AS i(v) "
            f"CROSS JOIN LATERAL (SELECT {target} AS v) AS t "
            f"CROSS JOIN LATERAL {elements} WHERE {predicate})"
        )

    def _sqlite_matches(self, path: ResolvedPath, predicate: str, params: dict[str, Any]) -> str:
        value = self._sqlite_member_path(path, params)
        # A JSON-LD value object {"@value": ...} stands for its @value, as on PostgreSQL.
        at_value = f"({value}) || '.\"@value\"'"
        target = (
            f"CASE WHEN json_type(i.value, {at_value}) IS NULL THEN {value} ELSE {at_value} END"
        )
        attr = self._bind(params, "$" + _sqlite_key(path.iri))
        # json_each walks an object's members too (text keys), but an object is no scalar and
        # holds none: only an array's elements (integer keys) or the value itself (no key) count.
        return (
            f"EXISTS (SELECT 1 FROM json_each(entities.attrs, {attr}) AS i, "
            f"json_each(i.value, {target}) AS s WHERE typeof(s.key) <> 'text' "
            f"AND s.type NOT IN ('object', 'array') AND {predicate})"
        )

    def _predicate(self, node: Comparison, params: dict[str, Any]) -> str:
        value = node.value
        if node.op in ("~=", "!~="):
            pattern = self._bind(params, value)
            if self.pg:
                return f"jsonb_typeof(s.v) = 'string' AND (s.v #>> '{{}}') ~ {pattern}"
            return f"s.type = 'text' AND s.atom REGEXP {pattern}"
        if isinstance(value, Range):
            low = self._scalar(value.low, ">=", params)
            high = self._scalar(value.high, "<=", params)
            return f"({low}) AND ({high})"
        if isinstance(value, tuple):
            return " OR ".join(f"({self._scalar(v, '=', params)})" for v in value)
        assert isinstance(value, Literal)
        return self._scalar(value, _SQL_OPS[node.op], params)

    def _scalar(self, literal: Literal, op: str, params: dict[str, Any]) -> str:
        if literal.kind == "boolean":
            if op != "=":
                raise BadRequestData("booleans compare only with == and !=")
            if self.pg:
                return f"s.v = CAST({self._bind(params, str(literal.value).lower())} AS jsonb)"
            return f"s.type = {self._bind(params, 'true' if literal.value else 'false')}"
        bound = self._bind(params, literal.value)
        if literal.kind == "number":
            if self.pg:
                # CASE, not AND: PostgreSQL may evaluate the cast before the type test.
                number = "CASE WHEN jsonb_typeof(s.v) = 'number' THEN CAST(s.v AS numeric) END"
                return f"({number}) {op} {bound}"
            return f"s.type IN ('integer', 'real') AND s.atom {op} {bound}"
        if self.pg:
            # Code-point order whatever the database's collation, as on SQLite.
            text = "(s.v #>> '{}') COLLATE \"C\""
            return f"jsonb_typeof(s.v) = 'string' AND {text} {op} CAST({bound} AS text)"
        return f"s.type = 'text' AND s.atom {op} {bound}"


def scope_condition(dialect: str, alternatives: tuple[tuple[str, ...], ...]) -> ColumnElement[bool]:
    """scopeQ (clause 4.19) as SQL over the entity's scopes, with grammar.scope_matches' rules.

    Prefixes are compared with substr (case-sensitive on both stores; SQLite's LIKE is not).
    """
    source = (
        "jsonb_array_elements_text(CASE WHEN jsonb_typeof(entities.scopes) = 'array' "
        "THEN entities.scopes ELSE '[]'::jsonb END) AS sc(v)"
        if dialect == "postgresql"
        else "(SELECT value AS v FROM json_each(entities.scopes)) AS sc"
    )
    names = count()
    ors = []
    for group in alternatives:
        ands = []
        for pattern in group:
            params: dict[str, Any] = {}

            def bind(value: str | int, params: dict[str, Any] = params) -> str:
                name = f"s{next(names)}"
                params[name] = value
                return ":" + name

            test = _scope_test(pattern, bind)
            ands.append(
                sa.text(f"EXISTS (SELECT 1 FROM {source} WHERE {test})").bindparams(**params)
            )
        ors.append(sa.and_(*ands))
    return sa.or_(*ors)


def _scope_test(pattern: str, bind: Callable[[str | int], str]) -> str:
    if pattern == "/#":
        return "sc.v IS NOT NULL"
    if pattern.endswith("/#"):
        base = pattern[:-2]
        prefix = base + "/"
        return f"(sc.v = {bind(base)} OR substr(sc.v, 1, {bind(len(prefix))}) = {bind(prefix)})"
    if pattern.endswith("/+"):
        prefix = pattern[:-1]
        return (
            f"(substr(sc.v, 1, {bind(len(prefix))}) = {bind(prefix)} "
            f"AND length(sc.v) > {bind(len(prefix))} "
            f"AND substr(sc.v, {bind(len(prefix) + 1)}) NOT LIKE '%/%')"
        )
    return f"sc.v = {bind(pattern)}"
