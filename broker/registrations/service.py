"""Context source registration services (clause 5.9) and the contract of the distributed
operations: `matching_sources` (which registered sources serve a request) and
`record_outcome` (how a request to one of them went).

Services never commit. A registration is stored with its `information` names expanded, its
contextSourceInfo sealed (broker.registrations.crypto) and its status in columns.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import AlreadyExists, BadRequestData, Conflict, ResourceNotFound
from broker.core.netguard import TargetRefused
from broker.entities.attributes import check_uri
from broker.entities.query.selection import compile_id_pattern
from broker.jsonld.context import Context
from broker.registrations import csource_subscriptions
from broker.registrations.components import Registrations
from broker.registrations.crypto import cipher
from broker.registrations.holders import RegisteredTenants
from broker.registrations.matching import Wanted, overlap, serving
from broker.registrations.models import Registration
from broker.registrations.render import information_of, registered_source, render_registration
from broker.registrations.repository import RegistrationRepository, SharedRegistrations
from broker.registrations.schemas import RegistrationSpec, clean_document, parse_registration
from broker.registrations.sources import RegisteredSource

ID_PREFIX = "urn:ngsi-ld:ContextSourceRegistration:"


def _now() -> datetime:
    return datetime.now(UTC)


async def _checked(
    deps: Registrations, document: dict[str, Any], context: Context, *, new_expiry: bool
) -> RegistrationSpec:
    spec = parse_registration(document, context)
    if new_expiry and spec.expires_at is not None and spec.expires_at <= _now():
        raise BadRequestData("expiresAt must be in the future")
    parts = urlsplit(spec.endpoint)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await deps.guard.check(parts.hostname or "", port)
    except TargetRefused as exc:
        raise BadRequestData(f"endpoint refused: {exc}") from exc
    return spec


async def _check_conflicts(repo: RegistrationRepository, spec: RegistrationSpec) -> None:
    """Clause 4.3.6.3: an exclusive registration owns its entity ids and attributes: none of
    them may be covered by another (exclusive, redirect or inclusive) registration, whichever
    came first. Auxiliary registrations never conflict."""
    if spec.mode == "auxiliary":
        return
    await repo.lock()  # concurrent creations are checked one after the other
    modes = ("exclusive", "redirect", "inclusive") if spec.mode == "exclusive" else ("exclusive",)
    for row in await repo.live(_now(), modes=modes):
        if row.id == spec.id:
            continue
        existing = information_of(row)
        if spec.mode == "exclusive":
            found = overlap(spec.information, existing)
        else:
            found = overlap(existing, spec.information)
        if found is not None:
            raise Conflict(
                f"entity {found[0]} attribute {found[1]} is already registered by "
                f"{row.id} ({row.mode}); an exclusive registration cannot overlap another",
                registrationId=row.id,
            )


def _columns(spec: RegistrationSpec, now: datetime) -> dict[str, Any]:
    return {
        "document": spec.document,
        "information": [entry.stored() for entry in spec.information],
        "extra_names": spec.extra_names,
        "endpoint": spec.endpoint,
        "mode": spec.mode,
        "operations": sorted(spec.operations),
        "expires_at": spec.expires_at,
        "modified_at": now,
    }


def _sealed(spec: RegistrationSpec) -> dict[str, Any]:
    return {
        "sealed_info": cipher().seal(spec.context_source_info),
        "info_keys": [key for key, _ in spec.context_source_info],
    }


async def create_registration(
    session: AsyncSession,
    access: Access,
    deps: Registrations,
    *,
    payload: Any,
    context: Context,
) -> str:
    """5.9.2 Register Context Source; returns the new registration's id."""
    if not isinstance(payload, dict):
        raise BadRequestData("a registration is a JSON object")
    document = clean_document(payload)
    document.setdefault("id", f"{ID_PREFIX}{uuid.uuid4()}")
    spec = await _checked(deps, document, context, new_expiry=True)
    repo = RegistrationRepository.of(session, access)
    await _check_conflicts(repo, spec)
    now = _now()
    values = {
        "id": spec.id,
        **_columns(spec, now),
        **_sealed(spec),
        "times_sent": 0,
        "times_failed": 0,
        "created_at": now,
    }
    if not await repo.insert(values):
        raise AlreadyExists(f"registration {spec.id} already exists")
    created = await repo.get(spec.id)
    await csource_subscriptions.notify_changes(session, access, deps, before=None, after=created)
    return spec.id


async def _existing(
    repo: RegistrationRepository, registration_id: str, *, for_update: bool = False
) -> Registration:
    check_uri(registration_id, "registration id")
    found = await repo.get(registration_id, for_update=for_update)
    if found is None:
        raise ResourceNotFound(f"registration {registration_id} not found")
    return found


async def retrieve_registration(
    session: AsyncSession, access: Access, *, registration_id: str, context: Context
) -> dict[str, Any]:
    """5.10.1 Retrieve Context Source Registration, names compacted with `context`."""
    repo = RegistrationRepository.of(session, access)
    return render_registration(await _existing(repo, registration_id), context)


async def update_registration(
    session: AsyncSession,
    access: Access,
    deps: Registrations,
    *,
    registration_id: str,
    payload: Any,
    context: Context,
) -> None:
    """5.9.3 Update Context Source Registration: the fragment's members replace the stored
    ones (information and contextSourceInfo whole); the result is checked as a new one."""
    if not isinstance(payload, dict) or not payload:
        raise BadRequestData("a registration fragment is a non-empty JSON object")
    repo = RegistrationRepository.of(session, access)
    current = await _existing(repo, registration_id, for_update=True)
    before = _detached_copy(current)
    fragment = clean_document(payload)
    if fragment.get("id", registration_id) != registration_id:
        raise BadRequestData("the id of a registration cannot be changed")
    # Stored names are IRIs already: expanding them again with any context leaves them be.
    document = {**current.document, "information": current.information, **fragment}
    spec = await _checked(deps, document, context, new_expiry="expiresAt" in fragment)
    await _check_conflicts(repo, spec)
    values = _columns(spec, _now())
    if "contextSourceInfo" in fragment:
        values.update(_sealed(spec))
    await repo.update(registration_id, values)
    session.expire(current)  # `current` stays what it was: the notifications compare both
    after = await repo.get(registration_id)
    await csource_subscriptions.notify_changes(session, access, deps, before=before, after=after)


async def delete_registration(
    session: AsyncSession, access: Access, deps: Registrations, *, registration_id: str
) -> None:
    """5.9.4 Delete Context Source Registration."""
    check_uri(registration_id, "registration id")
    found = await RegistrationRepository.of(session, access).delete(registration_id)
    if found is None:
        raise ResourceNotFound(f"registration {registration_id} not found")
    await csource_subscriptions.notify_changes(session, access, deps, before=found, after=None)


def _detached_copy(row: Registration) -> Registration:
    """The registration's values as they are now, apart from the session's row."""
    columns = Registration.__table__.columns.keys()
    return Registration(**{name: getattr(row, name) for name in columns})


async def matching_sources(
    session: AsyncSession,
    access: Access,
    *,
    operation: str,
    entity_ids: Sequence[str] = (),
    types: Sequence[str] = (),
    attrs: Sequence[str] = (),
    id_pattern: str | None = None,
    registered: RegisteredTenants | None = None,
) -> list[RegisteredSource]:
    """The unexpired registrations that may serve `operation` (a clause 4.20 name) for these
    entities and attributes (expanded IRIs; empty: any) in the access's tenant: its own, then
    those of a shared tenant that granted it (or its client) reads, for the granted types.
    Each source carries the parts of its information that match, and its headers in clear.
    With `registered`, lookups it says would find nothing are not sent."""
    wanted = Wanted(
        entity_ids=frozenset(entity_ids),
        types=frozenset(types),
        attrs=frozenset(attrs),
        id_pattern=compile_id_pattern(id_pattern) if id_pattern is not None else None,
    )
    now = _now()
    own, others = (True, True) if registered is None else await registered.lookups(access.tenant)
    candidates: list[tuple[Registration, frozenset[str] | None]] = []
    if own:
        rows = await RegistrationRepository.of(session, access).live(now)
        candidates += [(row, access.types) for row in rows]
    if others:
        shared = SharedRegistrations(session)
        grants = await shared.granted(access.tenant, access.principal.client_id)
        for row in await shared.live(sorted(grants), now):
            granted = grants[row.tenant_id]
            candidates.append((row, granted if access.types is None else granted & access.types))
    found = []
    for row, visible in candidates:
        if operation not in row.operations:
            continue
        parts = serving(information_of(row), wanted, visible)
        if parts:
            found.append(registered_source(row, parts))
    return found


async def record_outcome(
    session: AsyncSession, registration_id: str, tenant_id: str, *, ok: bool, at: datetime
) -> None:
    """Count one request a distributed operation sent to a registered source (timesSent,
    timesFailed, lastSuccess, lastFailure). A registration deleted meanwhile is no error."""
    repo = RegistrationRepository(session, tenant_id)
    await repo.record_outcome(registration_id, ok=ok, at=at)
