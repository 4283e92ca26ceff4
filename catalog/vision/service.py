"""The vision registry's rules: who may edit which entry, the derived fields, and every read
and write through broker's entity and query services (so subscriptions, history and the audit
log see entries as any other data).

Authorization: a prefecture admin (every tenant, or a member of a tenant of kind
`prefecture`) edits every entry; anyone else with vision:write only the entries of the
municipalities it is a member of. vision:read reads every entry, as the shared tenant is
readable by all.
"""

import re

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access, Principal
from broker.core.errors import AlreadyExists, BadRequestData, Forbidden, ResourceNotFound
from broker.entities.query.service import entities_of_type
from broker.entities.service import create_entity, delete_entity, replace_entity
from catalog.vision import document
from catalog.vision.bulk import Row
from catalog.vision.classification import classify
from catalog.vision.consolidation import candidates
from catalog.vision.dependencies import Registry
from catalog.vision.entities import (
    ASSET_TYPE,
    BASE_TYPE,
    asset_payloads,
    asset_prefix,
    base_id,
    base_payload,
    entry_out,
)
from catalog.vision.schemas import BaseEntry, BaseOut, CandidateOut

# Bounds one entry's data map and one listing's reads of it.
MAX_ASSETS = 1000


def _reading(principal: Principal, registry: Registry) -> Access:
    return Access(principal, registry.shared_tenant, principal.entity_types, read_only=True)


async def check_may_edit(principal: Principal, registry: Registry, municipality: str) -> None:
    """403 unless the caller administers the prefecture or is a member of `municipality`."""
    tenants = registry.guard.tenants
    state = await tenants.get(municipality)
    if state is None or state.kind != "municipality":
        raise BadRequestData(f"municipality {municipality!r} is not a registered municipality")
    if principal.member_of(municipality):
        return
    for tenant in principal.tenants:
        member = await tenants.get(tenant)
        if member is not None and member.kind == "prefecture" and member.active:
            return
    raise Forbidden(f"this client may not edit the vision entries of {municipality}")


async def _assets(
    session: AsyncSession, access: Access, registry: Registry, entity_id: str
) -> list[dict[str, object]]:
    found = await entities_of_type(
        session,
        access,
        entity_type=ASSET_TYPE,
        context=registry.context,
        id_pattern="^" + re.escape(asset_prefix(entity_id)),
        limit=MAX_ASSETS,
    )
    return found.entities


async def _write_assets(
    session: AsyncSession, access: Access, registry: Registry, entity_id: str, entry: BaseEntry
) -> None:
    """The data map's rows replace the stored ones: rows past the new length are deleted."""
    stored = {str(a["id"]) for a in await _assets(session, access, registry, entity_id)}
    for payload in asset_payloads(entity_id, entry.dataMap):
        if payload["id"] in stored:
            await replace_entity(
                session, access, entity_id=payload["id"], payload=payload, context=registry.context
            )
        else:
            await create_entity(session, access, payload=payload, context=registry.context)
        stored.discard(payload["id"])
    for leftover in sorted(stored):
        await delete_entity(session, access, entity_id=leftover)


async def create_base(
    session: AsyncSession, principal: Principal, *, registry: Registry, entry: BaseEntry
) -> BaseOut:
    await check_may_edit(principal, registry, entry.municipality)
    payload = base_payload(entry, classify(entry))
    access = Access(principal, registry.shared_tenant)
    try:
        await create_entity(session, access, payload=payload, context=registry.context)
    except AlreadyExists as exc:
        raise AlreadyExists(
            f"{entry.municipality} already has base {entry.code} in survey year "
            f"{entry.surveyYear}: change it with PUT"
        ) from exc
    await _write_assets(session, access, registry, payload["id"], entry)
    return await get_base(session, principal, registry=registry, entity_id=payload["id"])


async def replace_base(
    session: AsyncSession,
    principal: Principal,
    *,
    registry: Registry,
    entity_id: str,
    entry: BaseEntry,
) -> BaseOut:
    """A survey answer changed; municipality, code and year name the entry and stay."""
    current = await get_base(session, principal, registry=registry, entity_id=entity_id)
    await check_may_edit(principal, registry, current.municipality)
    if base_id(entry.municipality, entry.code, entry.surveyYear) != entity_id:
        raise BadRequestData("municipality, code and surveyYear name the entry: they cannot change")
    access = Access(principal, registry.shared_tenant)
    await replace_entity(
        session,
        access,
        entity_id=entity_id,
        payload=base_payload(entry, classify(entry)),
        context=registry.context,
    )
    await _write_assets(session, access, registry, entity_id, entry)
    return await get_base(session, principal, registry=registry, entity_id=entity_id)


async def get_base(
    session: AsyncSession, principal: Principal, *, registry: Registry, entity_id: str
) -> BaseOut:
    access = _reading(principal, registry)
    found = await entities_of_type(
        session, access, entity_type=BASE_TYPE, context=registry.context, ids=(entity_id,), limit=1
    )
    if not found.entities:
        raise ResourceNotFound(f"vision entry {entity_id} not found")
    assets = await _assets(session, access, registry, entity_id)
    return entry_out(found.entities[0], assets)


async def list_bases(
    session: AsyncSession,
    principal: Principal,
    *,
    registry: Registry,
    municipality: str | None,
    survey_year: int | None,
    limit: int,
    offset: int,
) -> tuple[list[BaseOut], bool]:
    """One page of entries in id order, and whether more follow."""
    pattern = f"^urn:ngsi-ld:{BASE_TYPE}:{re.escape(municipality) if municipality else '[^:]+'}"
    pattern += f":[^:]+:{survey_year if survey_year is not None else '[0-9]+'}$"
    access = _reading(principal, registry)
    found = await entities_of_type(
        session,
        access,
        entity_type=BASE_TYPE,
        context=registry.context,
        id_pattern=pattern,
        limit=limit,
        offset=offset,
    )
    entries = [
        entry_out(e, await _assets(session, access, registry, str(e["id"]))) for e in found.entities
    ]
    return entries, found.more


async def consolidation(
    session: AsyncSession, principal: Principal, *, registry: Registry, survey_year: int
) -> list[CandidateOut]:
    """The candidates among every entry of one survey year."""
    return candidates(await _all_entries(session, principal, registry, survey_year))


async def _all_entries(
    session: AsyncSession, principal: Principal, registry: Registry, survey_year: int | None
) -> list[BaseOut]:
    entries: list[BaseOut] = []
    more = True
    while more:
        page, more = await list_bases(
            session,
            principal,
            registry=registry,
            municipality=None,
            survey_year=survey_year,
            limit=MAX_ASSETS,
            offset=len(entries),
        )
        entries.extend(page)
    return entries


async def export_entries(
    session: AsyncSession, principal: Principal, *, registry: Registry, survey_year: int | None
) -> list[BaseOut]:
    return await _all_entries(session, principal, registry, survey_year)


async def _row_error(
    principal: Principal, registry: Registry, row: Row, seen: set[str]
) -> str | None:
    """Why a row cannot be imported (None if it can): 403s are raised, not collected."""
    if row.entry is None:
        return row.error
    entity_id = base_id(row.entry.municipality, row.entry.code, row.entry.surveyYear)
    if entity_id in seen:
        return f"{entity_id} is on an earlier row too"
    seen.add(entity_id)
    try:
        classify(row.entry)
        await check_may_edit(principal, registry, row.entry.municipality)
    except BadRequestData as exc:
        return exc.detail
    return None


async def import_entries(
    session: AsyncSession, principal: Principal, *, registry: Registry, rows: list[Row]
) -> tuple[int, int]:
    """Every row is checked before any is written: one bad row, and nothing is stored (400
    with each row's error). Returns (created, replaced)."""
    seen: set[str] = set()
    errors = []
    for row in rows:
        problem = await _row_error(principal, registry, row, seen)
        if problem is not None:
            errors.append({"row": row.number, "error": problem})
    if errors:
        raise BadRequestData(f"{len(errors)} rows cannot be imported", rowErrors=errors)
    created = replaced = 0
    for row in rows:
        assert row.entry is not None
        entity_id = base_id(row.entry.municipality, row.entry.code, row.entry.surveyYear)
        try:
            await get_base(session, principal, registry=registry, entity_id=entity_id)
        except ResourceNotFound:
            await create_base(session, principal, registry=registry, entry=row.entry)
            created += 1
            continue
        await replace_base(
            session, principal, registry=registry, entity_id=entity_id, entry=row.entry
        )
        replaced += 1
    return created, replaced


async def vision_document(
    session: AsyncSession,
    principal: Principal,
    *,
    registry: Registry,
    survey_year: int,
    format: str,
) -> str:
    """The vision document of one survey year, rendered from its entries."""
    entries = await _all_entries(session, principal, registry, survey_year)
    return document.render(
        entries,
        candidates(entries),
        survey_year=survey_year,
        format=format,
        export_url="/vision/export",
    )
