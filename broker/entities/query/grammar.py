"""Parsers for the NGSI-LD query grammars (no I/O, no SQL).

- ``q`` (clause 4.9): comparisons, ranges, value lists, patterns, existence, ``;`` (and) binding
  tighter than ``|`` (or), parentheses, sub-attribute paths ``a.b`` and value paths ``a[b.c]``.
- entity type selection (clause 4.17): names joined by ``,`` or ``|`` (or) and ``;`` (and).
- ``scopeQ`` (clause 4.19): scope patterns with ``/#`` and ``/+``, joined by ``,`` and ``;``.
"""

import re
from dataclasses import dataclass
from typing import Any

from broker.core.errors import BadRequestData

OPERATORS = ("==", "!=", ">=", "<=", ">", "<", "~=", "!~=")
# Members of an attribute instance that a q path may name directly.
INSTANCE_MEMBERS = frozenset(
    {"observedAt", "unitCode", "datasetId", "createdAt", "modifiedAt", "objectType", "lang"}
)
_NAME = re.compile(r"[^\W\d][\w:/#\-]*|@?[A-Za-z][\w:/#\-]*", re.UNICODE)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$")
_BARE = re.compile(r"[^;|()\"',=!<>~\s][^;|()\"',\s]*")


@dataclass(frozen=True)
class Path:
    """``attr`` / ``attr.sub.member`` / ``attr[key.key]``: names as written (not yet expanded)."""

    attribute: str
    subs: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Literal:
    value: Any
    kind: str  # number, string, boolean, datetime, date, time


@dataclass(frozen=True)
class Range:
    low: Literal
    high: Literal


@dataclass(frozen=True)
class Comparison:
    path: Path
    op: str
    value: Literal | Range | tuple[Literal, ...] | str  # str: a pattern for ~= and !~=


@dataclass(frozen=True)
class Exists:
    path: Path
    negated: bool = False


@dataclass(frozen=True)
class And:
    terms: tuple[Any, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Any, ...]


Query = Comparison | Exists | And | Or


MAX_DEPTH = 32  # nested parentheses of one q or type selection
MAX_TERMS = 100  # comparisons, type names or scope patterns of one expression


class _Parser:
    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.pos = 0
        self.what = what
        self.depth = 0
        self.terms = 0

    def open(self) -> bool:
        """Take a '(' if there is one, within MAX_DEPTH."""
        if not self.take("("):
            return False
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"more than {MAX_DEPTH} nested parentheses")
        return True

    def close(self) -> None:
        if not self.take(")"):
            raise self.fail("')' is missing")
        self.depth -= 1

    def counted(self, terms: int = 1) -> None:
        self.terms += terms
        if self.terms > MAX_TERMS:
            raise self.fail(f"more than {MAX_TERMS} terms")

    def fail(self, message: str) -> BadRequestData:
        return BadRequestData(f"invalid {self.what} at position {self.pos}: {message}")

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("a name is expected")
        self.pos = match.end()
        return match.group(0)


class QParser(_Parser):
    """Recursive descent over the q grammar; `;` binds tighter than `|`."""

    def parse(self) -> Query:
        if not self.text.strip():
            raise self.fail("empty query")
        query = self.disjunction()
        if not self.done():
            raise self.fail(f"unexpected {self.text[self.pos]!r}")
        return query

    def disjunction(self) -> Query:
        terms = [self.conjunction()]
        while self.take("|"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def conjunction(self) -> Query:
        terms = [self.term()]
        while self.take(";"):
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def term(self) -> Query:
        if self.open():
            inner = self.disjunction()
            self.close()
            return inner
        self.counted()
        if self.take("!"):
            return Exists(self.path(), negated=True)
        path = self.path()
        for op in ("!~=", "~=", "==", "!=", ">=", "<=", ">", "<"):
            if self.take(op):
                return self.comparison(path, op)
        return Exists(path)

    def path(self) -> Path:
        attribute = self.name()
        subs: list[str] = []
        keys: list[str] = []
        while self.take("."):
            subs.append(self.name())
        while self.take("["):
            keys.append(self.name())
            while self.take("."):
                keys.append(self.name())
            if not self.take("]"):
                raise self.fail("']' is missing")
        return Path(attribute, tuple(subs), tuple(keys))

    def comparison(self, path: Path, op: str) -> Comparison:
        if op in ("~=", "!~=", "==", "!=") and op.endswith("~="):
            return Comparison(path, op, self.pattern())
        first = self.value()
        if self.take(".."):
            if op not in ("==", "!="):
                raise self.fail("a range needs == or !=")
            return Comparison(path, op, Range(first, self.value()))
        if self.peek(","):
            if op not in ("==", "!="):
                raise self.fail("a value list needs == or !=")
            values = [first]
            while self.take(","):
                values.append(self.value())
            return Comparison(path, op, tuple(values))
        return Comparison(path, op, first)

    def pattern(self) -> str:
        """A regular expression: a quoted string, or an unquoted token exactly as written."""
        start = self.pos
        value = self.value()
        text = str(value.value) if self.text[start] in "\"'" else self.text[start : self.pos]
        try:
            re.compile(text)
        except re.error as exc:
            raise self.fail(f"invalid regular expression: {exc}") from exc
        return text

    def value(self) -> Literal:
        if self.peek('"') or self.peek("'"):
            quote = self.text[self.pos]
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.fail("unterminated string")
            text = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return Literal(text, "string")
        match = _BARE.match(self.text, self.pos)
        if not match:
            raise self.fail("a value is expected")
        token = match.group(0)
        if ".." in token:  # a range's low end stops at the dots
            token = token[: token.index("..")]
        self.pos += len(token)
        return literal(token)


def literal(token: str) -> Literal:
    if _NUMBER.match(token):
        return Literal(_number(token), "number")
    if token in ("true", "false"):
        return Literal(token == "true", "boolean")
    if _DATETIME.match(token):
        return Literal(token, "datetime")
    if _DATE.match(token):
        return Literal(token, "date")
    if _TIME.match(token):
        return Literal(token, "time")
    return Literal(token, "string")


def _number(token: str) -> int | float:
    """An int when the token is a whole number a 64-bit integer holds (SQL binds no larger)."""
    number = float(token)
    if "." in token or not number.is_integer():
        return number
    whole = int(token) if "e" not in token.lower() else int(number)
    return whole if -(2**63) <= whole < 2**63 else number


def parse_q(text: str) -> Query:
    return QParser(text, "q").parse()


@dataclass(frozen=True)
class TypeSelection:
    """Disjunction of conjunctions of type names: ((A and B) or C)."""

    alternatives: tuple[tuple[str, ...], ...]

    @property
    def names(self) -> set[str]:
        return {name for group in self.alternatives for name in group}


# A type is a short name or a full IRI: the characters of an IRI but the selection's own
# operators (, ; | and parentheses). q's names stop at "." too: it separates sub-attributes there.
_TYPE_NAME = re.compile(r"[\w\-.~:/?#\[\]@!$&'*+=%]+", re.UNICODE)


class _TypeParser(_Parser):
    def name(self) -> str:
        match = _TYPE_NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("a type name is expected")
        self.pos = match.end()
        return match.group(0)

    def parse(self) -> TypeSelection:
        alternatives = self.disjunction()
        if not self.done():
            raise self.fail(f"unexpected {self.text[self.pos]!r}")
        return TypeSelection(tuple(alternatives))

    def disjunction(self) -> list[tuple[str, ...]]:
        result = self.conjunction()
        while self.take("|") or self.take(","):
            result += self.conjunction()
        return result

    def conjunction(self) -> list[tuple[str, ...]]:
        result = self.atom()
        while self.take(";"):
            right = self.atom()
            if len(result) * len(right) > MAX_TERMS:  # (A|B);(C|D);... multiplies out
                raise self.fail(f"more than {MAX_TERMS} alternatives")
            result = [left + r for left in result for r in right]
        return result

    def atom(self) -> list[tuple[str, ...]]:
        if self.open():
            inner = self.disjunction()
            self.close()
            return inner
        self.counted()
        return [(self.name(),)]


def parse_types(text: str) -> TypeSelection:
    return _TypeParser(text.replace(" ", ""), "type selection").parse()


_SCOPE = re.compile(r"^/([\w\-.]+(/[\w\-.]+)*)?(/#|/\+)?$|^/#$|^/\+$")


def parse_scope_query(text: str) -> tuple[tuple[str, ...], ...]:
    """scopeQ as a disjunction (`,` or `|`) of conjunctions (`;`) of scope patterns."""
    alternatives = []
    if len(re.findall(r"[,|;]", text)) >= MAX_TERMS:
        raise BadRequestData(f"scopeQ has more than {MAX_TERMS} patterns")
    for group in re.split(r"[,|]", text):
        patterns = tuple(p.strip() for p in group.split(";"))
        for pattern in patterns:
            if not _SCOPE.match(pattern):
                raise BadRequestData(f"invalid scopeQ pattern {pattern!r}")
        alternatives.append(patterns)
    return tuple(alternatives)


def scope_matches(pattern: str, scope: str) -> bool:
    """Clause 4.18: `/a/#` matches /a and below, `/a/+` one level below /a, else exact."""
    if pattern == "/#":
        return True
    if pattern.endswith("/#"):
        base = pattern[:-2]
        return scope == base or scope.startswith(base + "/")
    if pattern.endswith("/+"):
        base = pattern[:-2]
        rest = scope[len(base) + 1 :] if scope.startswith(base + "/") else ""
        return bool(rest) and "/" not in rest
    return scope == pattern
