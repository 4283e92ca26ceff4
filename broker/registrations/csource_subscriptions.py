"""Context source registration subscriptions (clauses 5.11, 6.12-6.13): CRUD, and the
notifications queued when registrations they select appear, change or vanish.

A csource subscription is a Subscription (5.2.12) whose entities, watchedAttributes, q, csf,
geoQ and scopeQ select registrations as discovery does (broker.registrations.discovery). Its
notifications go through the notification outbox in the transaction of the registration's
change and are sent by the same workers as entity notifications, over HTTP or MQTT; each says
its triggerReason (newlyMatching, updated, noLongerMatching) and carries the registration
compacted with the subscription's @context, contextSourceInfo redacted.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.db import changed
from broker.core.errors import AlreadyExists, BadRequestData, ResourceNotFound
from broker.core.netguard import TargetRefused
from broker.entities.attributes import check_attribute_name, check_uri, parse_datetime
from broker.entities.query.geo import parse_geo_query
from broker.entities.query.grammar import parse_q, parse_scope_query, parse_types
from broker.jsonld.context import Context
from broker.registrations.components import Registrations
from broker.registrations.discovery import RegistrationQuery, registration_matcher
from broker.registrations.models import CSourceSubscription, Registration
from broker.registrations.render import render_registration
from broker.registrations.repository import CSourceSubscriptionRepository
from broker.subscriptions.matching import OUTBOX_TABLE
from broker.subscriptions.schemas import clean_document, endpoint_of
from broker.subscriptions.service import SubscriptionPage, render_subscription

NEWLY_MATCHING = "newlyMatching"
UPDATED = "updated"
NO_LONGER_MATCHING = "noLongerMatching"


def _queries(document: dict[str, Any]) -> list[RegistrationQuery]:
    """One discovery query per EntitySelector (ORed), or one without entities."""
    for key in ("q", "csf", "scopeQ"):
        if key in document and not isinstance(document[key], str):
            raise BadRequestData(f"{key} must be a string")
    watched = document.get("watchedAttributes")
    if watched is not None and (not isinstance(watched, list) or not watched):
        raise BadRequestData("watchedAttributes must be a non-empty list of attribute names")
    geo = document.get("geoQ") or {}
    if not isinstance(geo, dict):
        raise BadRequestData("geoQ must be a JSON object")
    common: dict[str, Any] = {
        "attrs": frozenset(check_attribute_name(a) for a in watched or ()),
        "q": parse_q(document["q"]) if document.get("q") else None,
        "csf": parse_q(document["csf"]) if document.get("csf") else None,
        "scope_q": parse_scope_query(document["scopeQ"]) if document.get("scopeQ") else None,
        "geo": parse_geo_query(
            geo.get("georel"), geo.get("geometry"), geo.get("coordinates"), geo.get("geoproperty")
        ),
    }
    entities = document.get("entities")
    if entities is None:
        return [RegistrationQuery(**common)]
    if not isinstance(entities, list) or not entities:
        raise BadRequestData("entities must be a non-empty list of EntitySelector objects")
    queries = []
    for item in entities:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise BadRequestData("each EntitySelector needs a type")
        entity_id = item.get("id")
        queries.append(
            RegistrationQuery(
                ids=(check_uri(entity_id, "entities[].id"),) if entity_id is not None else (),
                types=parse_types(item["type"]),
                id_pattern=item.get("idPattern"),
                **common,
            )
        )
    return queries


def _check(document: dict[str, Any]) -> tuple[list[RegistrationQuery], datetime | None, bool]:
    """Check a csource subscription (clause 5.2.12 as 5.11 uses it)."""
    if document.get("type") != "Subscription":
        raise BadRequestData('a subscription has "type": "Subscription"')
    check_uri(document.get("id"), "id")
    if not document.get("entities") and not document.get("watchedAttributes"):
        raise BadRequestData("a subscription needs entities or watchedAttributes")
    for key in ("timeInterval", "throttling"):
        if key in document:
            raise BadRequestData(f"{key} is not supported on context source subscriptions")
    queries = _queries(document)
    endpoint_of(document)
    expires = document.get("expiresAt")
    active = document.get("isActive", True)
    if not isinstance(active, bool):
        raise BadRequestData("isActive must be true or false")
    return queries, parse_datetime(expires, "expiresAt") if expires is not None else None, active


async def _checked(
    deps: Registrations, document: dict[str, Any], context: Context, *, new_expiry: bool
) -> tuple[datetime | None, bool]:
    queries, expires, active = _check(document)
    for query in queries:  # names and patterns are checked with the context now
        registration_matcher(query, context)
    if new_expiry and expires is not None and expires <= datetime.now(UTC):
        raise BadRequestData("expiresAt must be in the future")
    endpoint = endpoint_of(document)
    try:
        await deps.guard.check(endpoint.host, endpoint.port)
    except TargetRefused as exc:
        raise BadRequestData(f"notification endpoint refused: {exc}") from exc
    return expires, active


async def create_csource_subscription(
    session: AsyncSession, access: Access, deps: Registrations, *, payload: Any, context: Context
) -> str:
    """5.11.2 Create Context Source Registration Subscription; returns its id."""
    if not isinstance(payload, dict):
        raise BadRequestData("a subscription is a JSON object")
    document = clean_document(payload)
    document.setdefault("id", f"urn:ngsi-ld:Subscription:{uuid.uuid4()}")
    expires, active = await _checked(deps, document, context, new_expiry=True)
    now = datetime.now(UTC)
    values = {
        "id": document["id"],
        "document": document,
        "context": context.local,
        "context_documents": deps.contexts.documents_of(context.local) or None,
        "is_active": active,
        "expires_at": expires,
        "times_sent": 0,
        "times_failed": 0,
        "consecutive_failures": 0,
        "created_at": now,
        "modified_at": now,
    }
    if not await CSourceSubscriptionRepository.of(session, access).insert(values):
        raise AlreadyExists(f"subscription {document['id']} already exists")
    return str(document["id"])


async def _existing(
    repo: CSourceSubscriptionRepository, subscription_id: str, *, for_update: bool = False
) -> CSourceSubscription:
    check_uri(subscription_id, "subscription id")
    found = await repo.get(subscription_id, for_update=for_update)
    if found is None:
        raise ResourceNotFound(f"subscription {subscription_id} not found")
    return found


def _render(row: CSourceSubscription, deps: Registrations) -> dict[str, Any]:
    # the status members of entity subscriptions, the same columns: one way to show them
    return render_subscription(cast(Any, row), deps.failure_threshold)


async def retrieve_csource_subscription(
    session: AsyncSession, access: Access, deps: Registrations, *, subscription_id: str
) -> dict[str, Any]:
    """5.11.4 Retrieve Context Source Registration Subscription."""
    repo = CSourceSubscriptionRepository.of(session, access)
    return _render(await _existing(repo, subscription_id), deps)


async def query_csource_subscriptions(
    session: AsyncSession,
    access: Access,
    deps: Registrations,
    *,
    limit: int,
    offset: int,
    count: bool,
) -> SubscriptionPage:
    """5.11.5 Query Context Source Registration Subscriptions."""
    repo = CSourceSubscriptionRepository.of(session, access)
    rows = await repo.page(limit=limit + 1, offset=offset) if limit else []
    total = await repo.count() if count else None
    items = [_render(r, deps) for r in rows[:limit]]
    return SubscriptionPage(items, total, more=len(rows) > limit)


async def update_csource_subscription(
    session: AsyncSession,
    access: Access,
    deps: Registrations,
    *,
    subscription_id: str,
    payload: Any,
    context: Context,
) -> None:
    """5.11.3 Update Context Source Registration Subscription: the fragment's members replace
    the stored ones."""
    if not isinstance(payload, dict) or not payload:
        raise BadRequestData("a subscription fragment is a non-empty JSON object")
    repo = CSourceSubscriptionRepository.of(session, access)
    current = await _existing(repo, subscription_id, for_update=True)
    fragment = clean_document(payload)
    if fragment.get("id", subscription_id) != subscription_id:
        raise BadRequestData("the id of a subscription cannot be changed")
    document = {**current.document, **fragment}
    if context.local:
        checked, local = context, context.local
        documents = deps.contexts.documents_of(context.local)
    else:
        local, documents = current.context, current.context_documents or {}
        checked = await deps.contexts.resolve(current.context or None, documents)
    expires, active = await _checked(deps, document, checked, new_expiry="expiresAt" in fragment)
    values: dict[str, Any] = {
        "document": document,
        "context": local,
        "context_documents": documents or None,
        "is_active": active,
        "expires_at": expires,
        "modified_at": datetime.now(UTC),
    }
    if active and not current.is_active:
        values["consecutive_failures"] = 0
    await repo.update(subscription_id, values)


async def delete_csource_subscription(
    session: AsyncSession, access: Access, *, subscription_id: str
) -> None:
    """5.11.6 Delete Context Source Registration Subscription."""
    check_uri(subscription_id, "subscription id")
    if not await CSourceSubscriptionRepository.of(session, access).delete(subscription_id):
        raise ResourceNotFound(f"subscription {subscription_id} not found")


def _outbox_row(
    subscription: CSourceSubscription, shown: dict[str, Any], reason: str, now: datetime
) -> dict[str, Any]:
    return {
        "subscription_id": subscription.id,
        "endpoint": endpoint_of(subscription.document).key,
        "data": [shown],
        "created_at": now,
        "due_at": now,
        "attempts": 0,
        "claimed_until": None,
        "trigger_reason": reason,
    }


def _reason(before: bool, after: bool) -> str | None:
    if after:
        return UPDATED if before else NEWLY_MATCHING
    return NO_LONGER_MATCHING if before else None


async def notify_changes(
    session: AsyncSession,
    access: Access,
    deps: Registrations,
    *,
    before: Registration | None,
    after: Registration | None,
) -> None:
    """Queue the notifications of one registration's change (created: no `before`; deleted:
    no `after`) to the tenant's subscriptions it concerns, in this transaction."""
    repo = CSourceSubscriptionRepository.of(session, access)
    now = datetime.now(UTC)
    rows = []
    for subscription in await repo.watching(now):
        context = await deps.contexts.resolve(
            subscription.context or None, subscription.context_documents or {}
        )
        matchers = [registration_matcher(q, context) for q in _queries(subscription.document)]

        def matches(row: Registration | None, tests: list[Callable[..., bool]] = matchers) -> bool:
            return row is not None and any(test(row) for test in tests)

        reason = _reason(matches(before), matches(after))
        shown = after if after is not None and reason != NO_LONGER_MATCHING else before
        if reason is not None and shown is not None:
            rows.append(_outbox_row(subscription, render_registration(shown, context), reason, now))
    if rows:
        await repo.enqueue(rows)
        changed(session, OUTBOX_TABLE)
