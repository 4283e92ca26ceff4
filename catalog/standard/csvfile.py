"""Reading a municipality's CSV: encoding detection (UTF-8 with or without BOM, Shift_JIS /
cp932), the header layout (newer or older), and each row checked against the template."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from catalog.standard.errors import ImportRejected, RowError
from catalog.standard.templates import Column, Template, layouts

BOM = b"\xef\xbb\xbf"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(:[0-5]\d)?$")
_CODE = re.compile(r"^\d{6}$")
YES, NO = "有", "無"


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: a BOM means UTF-8; else UTF-8 if the bytes are
    UTF-8; else cp932 (Shift_JIS as Windows and Excel write it). A UTF-8 file broken part way
    (valid multi-byte UTF-8 before the bad bytes) is rejected with the row where it breaks."""
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _broken(data, exc.start + len(BOM), "UTF-8") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        if any(b >= 0x80 for b in data[: utf8_error.start]):
            raise _broken(data, utf8_error.start, "UTF-8") from utf8_error
        try:
            return data.decode("cp932"), "cp932"
        except UnicodeDecodeError as exc:
            raise _broken(data, exc.start, "UTF-8 nor Shift_JIS") from exc


def _broken(data: bytes, position: int, encoding: str) -> ImportRejected:
    reason = f"the bytes at offset {position} are not valid {encoding}"
    if encoding.endswith("Shift_JIS"):
        reason = f"the file is neither {encoding} (bad bytes at offset {position})"
    return ImportRejected([RowError(_line_of(data, position), None, reason)])


@dataclass
class Header:
    """The header matched to a template: the layout, and the column of each position."""

    layout: str
    columns: list[Column]


def match_header(names: list[str], template: Template) -> Header:
    """Which layout the header starts with, and the template column of every header cell."""
    names = [n.strip() for n in names]
    errors: list[RowError] = []
    found_layout = next(
        ((name, cols) for name, cols in layouts().items() if names[:1] == [cols[0].name]), None
    )
    if found_layout is None:
        expected = " or ".join(f"{cols[0].name!r}" for cols in layouts().values())
        found = names[0] if names else ""
        raise ImportRejected([RowError(1, found or None, f"the header must start with {expected}")])
    layout, leading = found_layout
    columns: list[Column] = []
    position = 0
    for lead in leading:
        if position < len(names) and names[position] == lead.name:
            columns.append(lead)
            position += 1
        elif lead.required:
            errors.append(RowError(1, lead.name, f"the {layout} layout needs this column here"))
    by_name = {c.name: c for c in template.columns}
    seen: set[str] = set()
    for name in names[position:]:
        column = by_name.get(name)
        if column is None:
            errors.append(RowError(1, name, f"not a column of {template.name}"))
            continue
        if name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        seen.add(name)
        columns.append(column)
    for column in template.columns:
        if column.required and column.name not in seen:
            errors.append(RowError(1, column.name, "a required column is missing"))
    if errors:
        raise ImportRejected(errors)
    return Header(layout, columns)


@dataclass
class Row:
    """One data row: its CSV line, attribute values by key, and the location if given."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    location: tuple[float, float] | None = None  # (longitude, latitude)

    @property
    def code(self) -> str:
        return str(self.values["localGovernmentCode"])

    @property
    def identifier(self) -> str:
        return str(self.values["identifier"])


def _convert(column: Column, text: str) -> Any:
    """The typed value of a non-empty cell, or ValueError saying why it is wrong."""
    kind = column.type
    if kind == "integer":
        try:
            return int(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if kind in ("number", "latitude", "longitude"):
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        limit = {"latitude": 90.0, "longitude": 180.0}.get(kind)
        if limit is not None and not -limit <= number <= limit:
            raise ValueError(f"{text} is outside -{limit:g}..{limit:g}")
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{text!r} is not a number")
        return number
    if kind == "date":
        normalized = text.replace("/", "-")
        parts = normalized.split("-")
        if len(parts) == 3:
            normalized = f"{parts[0]}-{parts[1].zfill(2)}-{parts[2].zfill(2)}"
        if not _DATE.match(normalized):
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
        return normalized
    if kind == "time":
        if not _TIME.match(text):
            raise ValueError(f"{text!r} is not a time (hh:mm)")
        return text
    if kind == "yesno":
        if text not in (YES, NO):
            raise ValueError(f"{text!r} must be {YES} or {NO}")
        return text == YES
    return text


def read_rows(text: str, template: Template) -> tuple[Header, list[Row]]:
    """Every row of the file, or ImportRejected with every error found (row, column, reason)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = next(reader)
    except StopIteration:
        raise ImportRejected([RowError(1, None, "the file is empty")]) from None
    except csv.Error as exc:
        raise ImportRejected([RowError(1, None, f"not a CSV file: {exc}")]) from exc
    header = match_header(names, template)
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for cells in _records(reader):
            line = reader.line_num
            row = _row(line, cells, header, errors)
            if row is None:
                continue
            key = (row.code, row.identifier)
            if key in seen:
                errors.append(RowError(line, "ID", f"the same ID as row {seen[key]}"))
            seen.setdefault(key, line)
            rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, None, f"the CSV is malformed: {exc}"))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, None, "the file has a header but no rows")])
    return header, rows


def _records(reader: Any) -> Iterator[list[str]]:
    for cells in reader:
        if any(cell.strip() for cell in cells):  # blank lines are skipped
            yield cells


def _row(line: int, cells: list[str], header: Header, errors: list[RowError]) -> Row | None:
    if len(cells) != len(header.columns):
        errors.append(
            RowError(line, None, f"{len(cells)} cells, the header has {len(header.columns)}")
        )
        return None
    row = Row(line)
    failed = False
    latlon: dict[str, float] = {}
    for column, raw in zip(header.columns, cells, strict=True):
        text = raw.strip()
        if not text:
            if column.required:
                errors.append(RowError(line, column.name, "a required value is empty"))
                failed = True
            continue
        try:
            value = _convert(column, text)
        except ValueError as exc:
            errors.append(RowError(line, column.name, str(exc)))
            failed = True
            if column.type in ("latitude", "longitude"):
                latlon[column.type] = float("nan")  # reported; not "missing" as well
            continue
        if column.type in ("latitude", "longitude"):
            latlon[column.type] = value
        else:
            row.values[column.key] = value
    code = row.values.get("localGovernmentCode")
    if code is not None and not _CODE.match(str(code)):
        errors.append(RowError(line, header.columns[0].name, f"{code!r} is not a 6-digit code"))
        failed = True
    if len(latlon) == 1:
        missing = "経度" if "latitude" in latlon else "緯度"
        errors.append(RowError(line, missing, "緯度 and 経度 must be given together"))
        failed = True
    elif latlon and not failed:
        row.location = (latlon["longitude"], latlon["latitude"])
    return None if failed else row
