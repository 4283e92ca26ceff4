"""Importing a municipality's standard CSV into broker entities of its tenant.

The file is read and checked whole before anything is written (catalog.standard.csvfile), then
every row becomes one entity through broker's batch service in the request's one transaction:
an entity the batch refuses fails the import, so the session rolls back and nothing is stored.
Names resolve through the core @context (its default vocabulary), so the entities are queried
as `type=PublicFacility` without a Link header.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

import broker.entities.batch.service as batch
from auth.principals import Access
from broker.jsonld.context import Context
from catalog.standard.csvfile import Row, decode, read_rows
from catalog.standard.errors import ImportRejected, RowError
from catalog.standard.templates import Template


@dataclass(frozen=True, slots=True)
class Imported:
    set_id: str
    layout: str
    encoding: str
    entity_ids: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_id,
            "layout": self.layout,
            "encoding": self.encoding,
            "imported": len(self.entity_ids),
            "entityIds": self.entity_ids,
        }


def entity_id(template: Template, row: Row) -> str:
    """One entity per (local government code, ID): importing the file again replaces it."""
    return f"urn:ngsi-ld:{template.entity_type}:{row.code}:{quote(row.identifier, safe='')}"


def entity(template: Template, row: Row) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entity_id(template, row), "type": template.entity_type}
    for key, value in row.values.items():
        item[key] = {"type": "Property", "value": value}
    if row.location is not None:
        item["location"] = {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": list(row.location)},
        }
    return item


async def import_csv(
    session: AsyncSession, access: Access, *, template: Template, data: bytes, context: Context
) -> Imported:
    """All rows or none: row errors (row, column, reason) raise ImportRejected (400)."""
    text, encoding = decode(data)
    header, rows = read_rows(text, template)
    items = [entity(template, row) for row in rows]
    result = await batch.upsert(
        session, access, items=items, contexts=[context] * len(items), replace=True
    )
    if result.errors:
        lines = {entity_id(template, row): row.line for row in rows}
        raise ImportRejected(
            [RowError(lines.get(i, 0), None, str(error.detail)) for i, error in result.errors]
        )
    return Imported(template.id, header.layout, encoding, [item["id"] for item in items])
