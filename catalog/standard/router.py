"""The standard open data sets over HTTP: their templates, and importing a municipality's CSV
into the entities of the tenant named by NGSILD-Tenant (catalog:write in that tenant)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.db import SessionDep
from catalog.standard import importing
from catalog.standard.dependencies import CoreContext
from catalog.standard.templates import template, templates

CatalogWrite = Annotated[Access, Depends(require(scopes.CATALOG_WRITE))]
router = APIRouter(prefix="/catalog/standard", tags=["catalog (standard data sets)"])
_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("")
async def list_templates() -> list[dict[str, Any]]:
    """The standard data sets (自治体標準オープンデータセット) and their columns."""
    return [found.describe() for found in templates()]


@router.get("/{set_id}")
async def show_template(set_id: str) -> dict[str, Any]:
    """One standard data set by its number (01) or name (公共施設一覧), with its columns."""
    return template(set_id).describe()


@router.post("/{set_id}/import", openapi_extra=_CSV_BODY)
async def import_csv(
    set_id: str, request: Request, session: SessionDep, access: CatalogWrite, context: CoreContext
) -> dict[str, Any]:
    """Import a standard CSV (UTF-8, UTF-8 with BOM or Shift_JIS) as entities: all or none."""
    imported = await importing.import_csv(
        session, access, template=template(set_id), data=await request.body(), context=context
    )
    return imported.as_dict()
