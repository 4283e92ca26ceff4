"""CKAN's datastore_search over a live resource: one page of its saved query's entities,
read through broker's query service, in the DataStore's shape (fields, records, total,
_links). Each record is the entity flattened as the live CSV is (catalog.live.formats), with
`_id` its row number, as the DataStore numbers rows."""

from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from broker.jsonld.context import ContextResolver
from catalog.access import Caller
from catalog.datasets.service import required
from catalog.errors import ValidationFailed
from catalog.live import formats
from catalog.live.service import live_query, page_of, project
from catalog.search.query import boolean, integer

MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max default
UNSUPPORTED = ("filters", "q", "sort", "distinct", "plain", "language")


def _fields(records: list[dict[str, Any]], wanted: list[str] | None) -> list[dict[str, str]]:
    names = wanted or formats.columns(name for record in records for name in record)
    kinds = {}
    for name in names:
        value = next((r[name] for r in records if r.get(name) is not None), None)
        kinds[name] = formats.field_type(value)
    return [{"id": "_id", "type": "int"}] + [{"id": n, "type": kinds[n]} for n in names]


def _links(resource_id: str, *, limit: int, offset: int, base: str) -> dict[str, str]:
    start = {"resource_id": resource_id}
    if limit != 100:
        start["limit"] = str(limit)
    return {
        "start": f"{base}?{urlencode(start)}",
        "next": f"{base}?{urlencode({**start, 'offset': str(offset + limit)})}",
    }


def _records(rows: list[dict[str, Any]], names: list[str], offset: int, records_format: str) -> Any:
    numbered = [(offset + n + 1, row) for n, row in enumerate(rows)]
    if records_format == "objects":
        return [{"_id": number, **{k: row.get(k) for k in names}} for number, row in numbered]
    lists = [[number, *(row.get(k) for k in names)] for number, row in numbered]
    if records_format == "lists":
        return lists
    cells = [{str(i): formats.cell(v) for i, v in enumerate(line)} for line in lists]
    return formats.csv_lines(cells, None, [str(i) for i in range(len(names) + 1)])


async def datastore_search(
    session: AsyncSession,
    caller: Caller,
    contexts: ContextResolver,
    *,
    params: dict[str, Any],
    base: str,
) -> dict[str, Any]:
    """One page (limit, offset) of a live resource's entities; fields, include_total and
    records_format (objects, lists, csv) as CKAN takes them."""
    resource_id = required(params, "resource_id")
    for name in UNSUPPORTED:
        if params.get(name) not in (None, "", {}):
            raise ValidationFailed.of(name, "Not supported over live data")
    records_format = str(params.get("records_format") or "objects")
    if records_format not in ("objects", "lists", "csv"):
        raise ValidationFailed.of("records_format", "Must be objects, lists or csv")
    limit = integer(params, "limit", 100, minimum=0)
    offset = integer(params, "offset", 0)
    if limit > MAX_LIMIT:
        raise ValidationFailed.of("limit", f"Must be at most {MAX_LIMIT}")
    include_total = boolean(params, "include_total", True)
    wanted = params.get("fields")
    if isinstance(wanted, str):
        wanted = [name.strip() for name in wanted.split(",") if name.strip()]
    live = await live_query(session, caller, contexts, dataset_id=None, resource_id=resource_id)
    found = await page_of(session, live, limit=limit, offset=offset, count=include_total)
    rows = [formats.flatten_values(project(e, live.attrs)) for e in found.entities]
    fields = _fields(rows, wanted or (["id", "type", *live.attrs] if live.attrs else None))
    names = [field["id"] for field in fields[1:]]
    result: dict[str, Any] = {
        "resource_id": resource_id,
        "fields": fields,
        "records": _records(rows, names, offset, records_format),
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "_links": _links(resource_id, limit=limit, offset=offset, base=base),
    }
    if include_total:
        result["total"] = found.total
        result["total_was_estimated"] = False
    return result
