"""package_search's parameters, parsed: the Solr subset CKAN clients and harvesters send.

- q: free text (Japanese without spaces too, see catalog.search.tokens), `*:*` or empty for
  everything; `field:value` clauses in q filter like fq does.
- fq: `field:value`, `field:"quoted value"`, ranges `field:[X TO Y]` (`*` open-ended, `{`
  and `}` for bounds left out, `NOW` for the present), each
  optionally prefixed `+` (must, the default) or `-` (must not), separated by spaces.
  Fields: organization / owner_org, tags, groups, res_format, license_id, name, id, capacity
  (public / private), dataset_type, metadata_modified and metadata_created (ranges or values).
- sort: `field asc|desc` clauses separated by commas over score, metadata_modified,
  metadata_created, name, title_string, id.
Anything else is CKAN's 400 Search Query Error; a malformed number is a Validation Error.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from catalog.errors import SearchQueryError, ValidationFailed
from catalog.search.tokens import Term, query_terms

FACET_FIELDS = ("organization", "tags", "groups", "res_format", "license_id")
VALUE_FIELDS = frozenset({*FACET_FIELDS, "owner_org", "name", "id", "capacity", "dataset_type"})
DATE_FIELDS = frozenset({"metadata_modified", "metadata_created"})
SORT_KEYS = frozenset(
    {"score", "metadata_modified", "metadata_created", "name", "title_string", "id"}
)
DEFAULT_SORT = "score desc, metadata_modified desc"
MAX_ROWS = 1000
_CLAUSE = re.compile(
    r'(?P<sign>[+-]?)(?P<field>[A-Za-z_]+):(?P<value>"(?:[^"\\]|\\.)*"|[\[{][^\]}]*[\]}]|\S+)'
)
_RANGE = re.compile(r"^([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$")
_OPERATORS = frozenset({"AND", "&&"})


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    value: str | None = None  # an exact value
    low: datetime | None = None  # a range of a date field (None: open)
    high: datetime | None = None
    exclusive: tuple[bool, bool] = (False, False)  # {low TO high}: the bounds themselves out
    negate: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    terms: list[Term] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=lambda: [("score", True)])
    sort_text: str = DEFAULT_SORT
    rows: int = 10
    start: int = 0
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1
    include_private: bool = False


def _date(text: str, field_name: str) -> datetime | None:
    if text == "*":
        return None
    if text.upper() == "NOW":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchQueryError(f"Search Query is invalid: {field_name}: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _filter(sign: str, field_name: str, raw: str) -> Filter:
    negate = sign == "-"
    if field_name in DATE_FIELDS:
        match = _RANGE.match(raw)
        if not match:
            moment = _date(raw.strip('"'), field_name)
            return Filter(field_name, low=moment, high=moment, negate=negate)
        low, high = _date(match[2], field_name), _date(match[3], field_name)
        exclusive = (match[1] == "{", match[4] == "}")
        return Filter(field_name, low=low, high=high, exclusive=exclusive, negate=negate)
    if field_name not in VALUE_FIELDS:
        raise SearchQueryError(f"Search Query is invalid: unknown field {field_name!r}")
    if raw.startswith(("[", "{")):
        raise SearchQueryError(f"Search Query is invalid: {field_name} takes no range")
    value = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
    if field_name == "owner_org":
        field_name = "organization"
    return Filter(field_name, value=value, negate=negate)


def _clauses(text: str, *, free_text: bool) -> tuple[list[Filter], str]:
    """The field clauses of `text`, and (when free text is allowed) what is left of it."""
    filters = [
        _filter(m["sign"], m["field"], m["value"])
        for m in _CLAUSE.finditer(text)
        if m["field"] != "text"
    ]
    texts = [m["value"].strip('"') for m in _CLAUSE.finditer(text) if m["field"] == "text"]
    rest = " ".join([*texts, _CLAUSE.sub(" ", text)])
    words = [word for word in rest.split() if word not in _OPERATORS]
    if words and not free_text:
        raise SearchQueryError(f"Search Query is invalid: {' '.join(words)!r}")
    return filters, " ".join(words)


def _sort(text: str) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = []
    for clause in text.split(","):
        parts = clause.split()
        if not parts:
            continue
        direction = parts[1].lower() if len(parts) > 1 else "asc"
        if parts[0] not in SORT_KEYS or direction not in ("asc", "desc") or len(parts) > 2:
            raise SearchQueryError(f"Search Query is invalid: cannot sort by {clause.strip()!r}")
        keys.append((parts[0], direction == "desc"))
    return keys or [("score", True)]


def integer(params: dict[str, Any], name: str, default: int, *, minimum: int = 0) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed.of(name, "Invalid integer") from None
    if number < minimum:
        raise ValidationFailed.of(name, "Must be a natural number")
    return number


def boolean(params: dict[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes", "on"):
        return True
    if str(value).lower() in ("false", "0", "no", "off", ""):
        return False
    raise ValidationFailed.of(name, "Value must be one of: true, false")


def _facet_fields(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationFailed.of("facet.field", "Must be a list of field names")
    unknown = [item for item in value if item not in FACET_FIELDS]
    if unknown:
        raise SearchQueryError(f"Search Query is invalid: cannot facet by {unknown[0]!r}")
    return list(dict.fromkeys(value))


def parse(params: dict[str, Any]) -> SearchQuery:
    q = str(params.get("q") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    q_filters, text = _clauses(q, free_text=True)
    fq_filters, _ = _clauses(str(params.get("fq") or ""), free_text=False)
    sort_text = str(params.get("sort") or DEFAULT_SORT)
    limit = integer(params, "facet.limit", 50, minimum=-1)
    return SearchQuery(
        terms=query_terms(text),
        filters=q_filters + fq_filters,
        sort=_sort(sort_text),
        sort_text=sort_text,
        rows=min(integer(params, "rows", 10), MAX_ROWS),
        start=integer(params, "start", 0),
        facet_fields=_facet_fields(params.get("facet.field")),
        facet_limit=limit,
        facet_mincount=integer(params, "facet.mincount", 1),
        include_private=boolean(params, "include_private"),
    )
