"""The shapes a live download is written in: CSV (one column per attribute, nested values
flattened), GeoJSON and JSON, each produced a page at a time so any number of entities
streams in constant memory.

Flattening for CSV (documented in docs/catalog.md): an object value becomes one column per
member, named with dots (`address.streetAddress`); a GeoJSON geometry stays whole as JSON
text; lists become JSON text; booleans `true`/`false`; a missing value an empty cell."""

import csv
import io
from collections.abc import Iterable
from typing import Any

import orjson

# encoding parameter -> (codec, charset of Content-Type). Shift_JIS is written as Windows-31J
# (cp932), the Shift_JIS Excel reads; characters it lacks become "?".
ENCODINGS = {
    "utf-8": ("utf-8", "utf-8"),
    "utf-8-bom": ("utf-8", "utf-8"),
    "shift_jis": ("cp932", "Shift_JIS"),
}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "geojson": "application/geo+json"}


def _geometry(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and ("coordinates" in value or "geometries" in value)
    )


def flatten_values(entity: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The entity's cells with their JSON types: objects split into dotted columns,
    geometries and lists kept whole."""
    cells: dict[str, Any] = {}
    for key, value in entity.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not _geometry(value) and value:
            cells |= flatten_values(value, f"{name}.")
        else:
            cells[name] = value
    return cells


def cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def flatten(entity: dict[str, Any]) -> dict[str, str]:
    return {name: cell(value) for name, value in flatten_values(entity).items()}


def field_type(value: Any) -> str:
    """The CKAN DataStore type of a value: int, numeric, bool, json or text."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "numeric"
    if isinstance(value, dict | list):
        return "json"
    return "text"


def columns(seen: Iterable[str]) -> list[str]:
    """id and type first, then the others by name."""
    names = set(seen) - {"id", "type"}
    return ["id", "type", *sorted(names)]


def csv_lines(rows: list[dict[str, str]], header: list[str] | None, names: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return buffer.getvalue()


def encode(text: str, encoding: str, *, first: bool) -> bytes:
    codec, _ = ENCODINGS[encoding]
    data = text.encode(codec, errors="replace")
    return b"\xef\xbb\xbf" + data if first and encoding == "utf-8-bom" else data


def feature(entity: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature: the entity's `location` as geometry, the rest as properties."""
    properties = {k: v for k, v in entity.items() if k != "location"}
    location = entity.get("location")
    return {
        "type": "Feature",
        "id": entity.get("id"),
        "geometry": location if _geometry(location) else None,
        "properties": properties,
    }


def json_items(entities: list[dict[str, Any]], *, first: bool, geojson: bool) -> bytes:
    """Members of a JSON array (an array of entities, or a FeatureCollection's features)
    written a page at a time."""
    items = [orjson.dumps(feature(e) if geojson else e) for e in entities]
    joined = b",".join(items)
    return joined if first or not joined else b"," + joined


def json_open(geojson: bool) -> bytes:
    return b'{"type":"FeatureCollection","features":[' if geojson else b"["


def json_close(geojson: bool) -> bytes:
    return b"]}" if geojson else b"]"
