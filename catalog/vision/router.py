"""The vision API (`/vision/...`): entries of the data-linkage base inventory, validated and
classified, stored as broker entities in the shared tenant. Parsing and dependencies only."""

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import PagingDep
from broker.core.routing import RenkeiRoute, location
from catalog.vision import bulk, service
from catalog.vision.classification import TASKS
from catalog.vision.dependencies import RegistryDep, VisionRead, VisionWrite
from catalog.vision.entities import CONTEXT_DOCUMENT
from catalog.vision.schemas import BaseEntry, BaseOut, CandidateOut, VocabularyOut
from catalog.vision.vocabulary import ENUMERATIONS

router = APIRouter(prefix="/vision", tags=["vision"], route_class=RenkeiRoute)


@router.get("/context.jsonld", operation_id="visionContext")
async def context() -> dict[str, Any]:
    """The Renkei vision vocabulary's @context (public, as the NGSI-LD core context is)."""
    return CONTEXT_DOCUMENT


@router.get("/vocabulary", operation_id="visionVocabulary")
async def vocabulary(_principal: VisionRead) -> VocabularyOut:
    """The guidebook's enumerations and checklist tasks, with their Japanese labels."""
    return VocabularyOut(enumerations=ENUMERATIONS, tasks=TASKS)


@router.post("/bases", status_code=201, operation_id="createVisionBase")
async def create_base(
    session: SessionDep,
    principal: VisionWrite,
    registry: RegistryDep,
    body: BaseEntry,
    response: Response,
) -> BaseOut:
    """Record one base's survey answer for one survey year."""
    created = await service.create_base(session, principal, registry=registry, entry=body)
    response.headers["Location"] = location("/vision/bases", created.id)
    return created


@router.get("/bases", operation_id="listVisionBases")
async def list_bases(
    session: SessionDep,
    principal: VisionRead,
    registry: RegistryDep,
    paging: PagingDep,
    response: Response,
    municipality: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_\-]{1,64}$")] = None,
    surveyYear: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[BaseOut]:
    """The entries, of one municipality or survey year if asked, in id order."""
    entries, more = await service.list_bases(
        session,
        principal,
        registry=registry,
        municipality=municipality,
        survey_year=surveyYear,
        limit=paging.limit,
        offset=paging.offset,
    )
    for link in paging.links(more=more):
        response.headers.append("Link", link)
    return entries


@router.get("/bases/{entity_id:path}", operation_id="getVisionBase")
async def get_base(
    session: SessionDep, principal: VisionRead, registry: RegistryDep, entity_id: str
) -> BaseOut:
    """One entry with its derived fields and data map."""
    return await service.get_base(session, principal, registry=registry, entity_id=entity_id)


@router.put("/bases/{entity_id:path}", operation_id="replaceVisionBase")
async def replace_base(
    session: SessionDep,
    principal: VisionWrite,
    registry: RegistryDep,
    entity_id: str,
    body: BaseEntry,
) -> BaseOut:
    """Replace one entry's survey answer (its municipality, code and year stay)."""
    return await service.replace_base(
        session, principal, registry=registry, entity_id=entity_id, entry=body
    )


@router.get("/consolidation", operation_id="visionConsolidation")
async def consolidation(
    session: SessionDep,
    principal: VisionRead,
    registry: RegistryDep,
    surveyYear: Annotated[int, Query(ge=2000, le=2100)],
) -> list[CandidateOut]:
    """Consolidation candidates among one survey year's entries, each with why."""
    return await service.consolidation(
        session, principal, registry=registry, survey_year=surveyYear
    )


class ImportOut(BaseModel):
    created: int
    replaced: int


@router.post(
    "/import",
    operation_id="importVisionBases",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {}}},
            },
        }
    },
    responses={400: {"description": "BadRequestData, with rowErrors; nothing stored"}},
)
async def import_bases(
    session: SessionDep, principal: VisionWrite, registry: RegistryDep, request: Request
) -> ImportOut:
    """Import entries from CSV (UTF-8 or Shift_JIS) or JSON: all rows or none."""
    rows = bulk.parse(await request.body(), request.headers.get("content-type", ""))
    created, replaced = await service.import_entries(
        session, principal, registry=registry, rows=rows
    )
    return ImportOut(created=created, replaced=replaced)


@router.get(
    "/export",
    operation_id="exportVisionBases",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
async def export_bases(
    session: SessionDep,
    principal: VisionRead,
    registry: RegistryDep,
    format: Annotated[Literal["csv", "json"], Query()] = "json",
    encoding: Annotated[Literal["utf-8", "shift_jis"], Query(description="of a CSV")] = "utf-8",
    surveyYear: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """Every entry (of one survey year if asked) as CSV or JSON."""
    entries = await service.export_entries(
        session, principal, registry=registry, survey_year=surveyYear
    )
    if format == "json":
        return Response(orjson.dumps(bulk.write_json(entries)), media_type="application/json")
    return Response(
        bulk.write_csv(entries).encode("cp932" if encoding == "shift_jis" else "utf-8"),
        media_type=f"text/csv; charset={encoding}",
    )


@router.get(
    "/document",
    operation_id="visionDocument",
    responses={200: {"content": {"text/html": {}, "text/markdown": {}}}},
)
async def vision_document(
    session: SessionDep,
    principal: VisionRead,
    registry: RegistryDep,
    surveyYear: Annotated[int, Query(ge=2000, le=2100)],
    format: Annotated[Literal["html", "markdown"], Query()] = "html",
) -> Response:
    """The vision document of one survey year (HTML or Markdown); annexes: /vision/export."""
    text = await service.vision_document(
        session, principal, registry=registry, survey_year=surveyYear, format=format
    )
    media = "text/html" if format == "html" else "text/markdown"
    return Response(text, media_type=f"{media}; charset=utf-8")
