"""The standard data set templates, read from datasets.json (the data lives there, not in code)."""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from catalog.errors import NotFound

TYPES = ("text", "integer", "number", "date", "time", "yesno", "latitude", "longitude")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a standard CSV: its header, the entity attribute it becomes, its type."""

    name: str
    key: str
    required: bool = False
    type: str = "text"

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "key": self.key, "required": self.required, "type": self.type}


@dataclass(frozen=True, slots=True)
class Template:
    """One standard data set: number (01..), name, the entity type its rows become, columns."""

    id: str
    name: str
    entity_type: str
    columns: tuple[Column, ...]

    @property
    def slug(self) -> str:
        """The CKAN name part of the data set the import publishes."""
        return f"standard-{self.id}"

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "entity_type": self.entity_type,
            "columns": [c.describe() for c in self.columns],
            "layouts": {name: [c.name for c in cols] for name, cols in layouts().items()},
        }


def _column(raw: dict[str, Any]) -> Column:
    column = Column(raw["name"], raw["key"], bool(raw.get("required")), raw.get("type", "text"))
    if column.type not in TYPES:
        raise ValueError(f"unknown column type {column.type!r} in datasets.json")
    return column


@cache
def _document() -> dict[str, Any]:
    text = resources.files("catalog.standard").joinpath("datasets.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def templates() -> tuple[Template, ...]:
    return tuple(
        Template(s["id"], s["name"], s["entity_type"], tuple(_column(c) for c in s["columns"]))
        for s in _document()["sets"]
    )


@cache
def layouts() -> dict[str, tuple[Column, ...]]:
    """The leading columns of the two header layouts: "newer" (全国地方公共団体コード, ID,
    地方公共団体名) and "older" (都道府県コード又は市区町村コード, NO, 都道府県名, 市区町村名)."""
    return {name: tuple(_column(c) for c in cols) for name, cols in _document()["layouts"].items()}


def official_count() -> int:
    """How many standard data sets the Digital Agency's list holds."""
    return int(_document()["official_count"])


def template(set_id: str) -> Template:
    """A template by its number ("01") or its name ("公共施設一覧")."""
    for found in templates():
        if set_id in (found.id, found.name):
            return found
    raise NotFound(f"no standard data set {set_id!r}")
