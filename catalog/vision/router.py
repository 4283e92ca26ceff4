"""The vision API (`/vision/...`): entries of the data-linkage base inventory, validated and
classified, stored as broker entities in the shared tenant. Parsing and dependencies only."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import PagingDep
from broker.core.routing import RenkeiRoute, location
from catalog.vision import service
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
