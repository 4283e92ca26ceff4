"""The inventory as CSV and JSON, for surveys answered in a spreadsheet: one CSV row per base
and year (lists `;`-separated, responsibilities as `module:side`), read from UTF-8 (a BOM is
fine) or Shift_JIS; JSON is a list of entries, data map included. CSV carries no data map.

Reading returns every row's entry or its error, so an import can refuse the whole file.
"""

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from broker.core.errors import BadRequestData, UnsupportedMediaType
from catalog.vision.schemas import BaseEntry, BaseOut

COLUMNS = [name for name in BaseEntry.model_fields if name != "dataMap"]
DERIVED = [
    "currentType",
    "targetType",
    "migrationPattern",
    "connectedServices",
    "costPerServiceYen",
]
# What an export adds to the answer: left out when an export is imported again.
_OUTPUT_ONLY = {*DERIVED, "id", "taskChecklist"}
_LISTS = {"domains", "services", "dataHandled", "tasksDone"}
_BOOLEANS = {"authFederation", "basesAuthLinked", "basesDataLinked", "audited"}


@dataclass(frozen=True, slots=True)
class Row:
    """One row of an import: its number (the CSV line's, or the JSON item's from 1)."""

    number: int
    entry: BaseEntry | None
    error: str | None


def decode(data: bytes) -> str:
    """UTF-8 first (with or without BOM); anything else is read as Shift_JIS (cp932)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as exc:
            raise ValueError("the file is neither UTF-8 nor Shift_JIS") from exc


def _cell(name: str, value: str) -> Any:
    if name in _LISTS:
        return [item.strip() for item in value.split(";") if item.strip()]
    if name == "responsibilities":
        pairs = [item.rsplit(":", 1) for item in value.split(";") if item.strip()]
        return [{"module": p[0].strip(), "side": p[-1].strip()} for p in pairs]
    if name in _BOOLEANS:
        return {"true": True, "false": False, "": False}.get(value.strip().lower(), value)
    return value.strip()


def _validated(number: int, fields: Any) -> Row:
    try:
        return Row(number, BaseEntry.model_validate(fields), None)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return Row(number, None, problems)


def read_csv(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS) - set(DERIVED))
    if unknown:
        raise ValueError(f"unknown columns: {', '.join(unknown)}")
    rows = []
    for record in reader:
        fields = {
            k: _cell(k, v or "")
            for k, v in record.items()
            if k in COLUMNS and (v or "").strip() != ""
        }
        rows.append(_validated(reader.line_num, fields))
    return rows


def _answer(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _OUTPUT_ONLY}


def read_json(text: str) -> list[Row]:
    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError("a JSON import is an array of entries")
    return [
        _validated(n, _answer(item) if isinstance(item, dict) else item)
        for n, item in enumerate(items, start=1)
    ]


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(
            f"{v['module']}:{v['side']}" if isinstance(v, dict) else str(v) for v in value
        )
    return "" if value is None else str(value)


def write_csv(entries: list[BaseOut]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, *DERIVED])
    for entry in entries:
        fields = entry.model_dump(mode="json")
        writer.writerow([_format(fields[c]) for c in [*COLUMNS, *DERIVED]])
    return out.getvalue()


def write_json(entries: list[BaseOut]) -> list[dict[str, Any]]:
    return [entry.model_dump(mode="json") for entry in entries]


def parse(data: bytes, content_type: str) -> list[Row]:
    """An import's rows by its media type; 400 when the file itself cannot be read."""
    media = content_type.split(";")[0].strip().lower()
    if media not in ("text/csv", "application/json"):
        raise UnsupportedMediaType("import text/csv or application/json")
    try:
        text = decode(data)
        return read_csv(text) if media == "text/csv" else read_json(text)
    except (ValueError, csv.Error) as exc:
        raise BadRequestData(f"the file cannot be read: {exc}") from exc
