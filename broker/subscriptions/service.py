"""Subscription services (clause 5.8): create, retrieve, query, update, delete.

Services never commit. A subscription is stored as its client wrote it; its status members
(status, timesSent, lastNotification, ...) are kept in columns and added when it is rendered.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import AlreadyExists, BadRequestData, ResourceNotFound
from broker.core.netguard import NetGuard, TargetRefused
from broker.entities.attributes import check_uri
from broker.entities.render import format_datetime
from broker.jsonld.context import Context, ContextResolver
from broker.subscriptions.compiled import compile_subscription
from broker.subscriptions.models import Subscription
from broker.subscriptions.repository import SubscriptionRepository
from broker.subscriptions.schemas import SubscriptionSpec, clean_document


@dataclass(frozen=True)
class Subscriptions:
    """What the subscription services need besides the session: contexts and the guard."""

    contexts: ContextResolver
    guard: NetGuard
    failure_threshold: int = 3


@dataclass
class SubscriptionPage:
    items: list[dict[str, Any]]
    total: int | None
    more: bool = False  # subscriptions follow this page


def _now() -> datetime:
    return datetime.now(UTC)


async def _checked(
    deps: Subscriptions,
    document: dict[str, Any],
    context: Context,
    now: datetime,
    *,
    new_expiry: bool = True,
) -> SubscriptionSpec:
    """The subscription, checked whole; an expiresAt it is given must be in the future (an
    expired one may still be changed, e.g. paused, without a new expiresAt)."""
    # With the documents `context` was made of: a hosted @context (clause 5.13) is among them.
    documents = deps.contexts.documents_of(context.local)
    compiled = await compile_subscription(document, context.local, deps.contexts, documents)
    spec = compiled.spec
    if new_expiry and spec.expires_at is not None and spec.expires_at <= now:
        raise BadRequestData("expiresAt must be in the future")
    try:
        await deps.guard.check(spec.endpoint.host, spec.endpoint.port)
    except TargetRefused as exc:
        raise BadRequestData(f"notification endpoint refused: {exc}") from exc
    return spec


def _visible_types(access: Access) -> list[str] | None:
    """The entity types the subscriber's client may see: it is notified of those only."""
    return sorted(access.types) if access.types is not None else None


def _narrowed_types(stored: list[str] | None, access: Access) -> list[str] | None:
    """A change keeps the restriction the subscription was made with, narrowed by the
    changing client's own: an unrestricted admin's PATCH must not widen what it shows."""
    if access.types is None:
        return stored
    if stored is None:
        return sorted(access.types)
    return sorted(set(stored) & set(access.types))


def _columns(spec: SubscriptionSpec, now: datetime) -> dict[str, Any]:
    return {
        "is_active": spec.is_active,
        "expires_at": spec.expires_at,
        "time_interval": spec.time_interval,
        "throttling": spec.throttling,
        # A periodic subscription notifies at once, then every timeInterval seconds.
        "next_run_at": now if spec.time_interval is not None else None,
        "modified_at": now,
    }


async def create_subscription(
    session: AsyncSession, access: Access, deps: Subscriptions, *, payload: Any, context: Context
) -> str:
    """5.8.1 Create Subscription; returns the new subscription's id."""
    if not isinstance(payload, dict):
        raise BadRequestData("a subscription is a JSON object")
    document = clean_document(payload)
    document.setdefault("id", f"urn:ngsi-ld:Subscription:{uuid.uuid4()}")
    now = _now()
    spec = await _checked(deps, document, context, now)
    values = {
        "id": spec.id,
        "document": document,
        "context": context.local,
        # matching resolves this context again in any process, later: no fetch needed then
        "context_documents": deps.contexts.documents_of(context.local) or None,
        "entity_types": _visible_types(access),
        "times_sent": 0,
        "times_failed": 0,
        "consecutive_failures": 0,
        "created_at": now,
        **_columns(spec, now),
    }
    if not await SubscriptionRepository.of(session, access).insert(values):
        raise AlreadyExists(f"subscription {spec.id} already exists")
    return spec.id


async def _existing(repo: SubscriptionRepository, subscription_id: str) -> Subscription:
    check_uri(subscription_id, "subscription id")
    found = await repo.get(subscription_id, for_update=True)
    if found is None:
        raise ResourceNotFound(f"subscription {subscription_id} not found")
    return found


async def retrieve_subscription(
    session: AsyncSession, access: Access, deps: Subscriptions, *, subscription_id: str
) -> dict[str, Any]:
    """5.8.3 Retrieve Subscription."""
    check_uri(subscription_id, "subscription id")
    found = await SubscriptionRepository.of(session, access).get(subscription_id)
    if found is None:
        raise ResourceNotFound(f"subscription {subscription_id} not found")
    return render_subscription(found, deps.failure_threshold)


async def query_subscriptions(
    session: AsyncSession,
    access: Access,
    deps: Subscriptions,
    *,
    limit: int,
    offset: int,
    count: bool,
) -> SubscriptionPage:
    """5.8.4 Query Subscriptions: one page in id order, and the total when asked."""
    repo = SubscriptionRepository.of(session, access)
    # one row past the page tells whether another page follows
    rows = await repo.page(limit=limit + 1, offset=offset) if limit else []
    items = [render_subscription(r, deps.failure_threshold) for r in rows[:limit]]
    total = await repo.count() if count else None
    return SubscriptionPage(items, total, more=len(rows) > limit)


async def update_subscription(
    session: AsyncSession,
    access: Access,
    deps: Subscriptions,
    *,
    subscription_id: str,
    payload: Any,
    context: Context,
) -> None:
    """5.8.2 Update Subscription: the fragment's members replace the stored ones."""
    if not isinstance(payload, dict) or not payload:
        raise BadRequestData("a subscription fragment is a non-empty JSON object")
    repo = SubscriptionRepository.of(session, access)
    current = await _existing(repo, subscription_id)
    fragment = clean_document(payload)
    if fragment.get("id", subscription_id) != subscription_id:
        raise BadRequestData("the id of a subscription cannot be changed")
    document = {**current.document, **fragment}
    if isinstance(fragment.get("notification"), dict) and isinstance(
        current.document.get("notification"), dict
    ):
        document["notification"] = {**current.document["notification"], **fragment["notification"]}
    local = context.local or current.context
    if context.local:
        checked_context = context
        documents = deps.contexts.documents_of(context.local)
    else:
        documents = current.context_documents or {}
        checked_context = await deps.contexts.resolve(current.context or None, documents)
    now = _now()
    spec = await _checked(deps, document, checked_context, now, new_expiry="expiresAt" in fragment)
    values = {
        "document": document,
        "context": local,
        "context_documents": documents or None,
        "entity_types": _narrowed_types(current.entity_types, access),
        **_columns(spec, now),
    }
    if spec.time_interval is not None and spec.time_interval == current.time_interval:
        values["next_run_at"] = current.next_run_at
    if spec.is_active and not current.is_active:
        values["consecutive_failures"] = 0  # reactivated: a fresh start
    await repo.update(subscription_id, values)


async def delete_subscription(
    session: AsyncSession, access: Access, *, subscription_id: str
) -> None:
    """5.8.5 Delete Subscription (and the notifications it has not sent yet)."""
    check_uri(subscription_id, "subscription id")
    if not await SubscriptionRepository.of(session, access).delete(subscription_id):
        raise ResourceNotFound(f"subscription {subscription_id} not found")


def _time(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def status_of(row: Subscription, now: datetime | None = None) -> str:
    now = now or _now()
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active" if row.is_active else "paused"


def render_subscription(row: Subscription, failure_threshold: int) -> dict[str, Any]:
    """The subscription as stored, with the status members the broker maintains."""
    document = dict(row.document)
    out: dict[str, Any] = {"id": row.id, "type": "Subscription"}
    out.update({k: v for k, v in document.items() if k not in ("id", "type")})
    out["isActive"] = row.is_active
    out["status"] = status_of(row)
    notification = dict(document.get("notification") or {})
    notification["timesSent"] = row.times_sent
    if row.times_failed:
        notification["timesFailed"] = row.times_failed
    for key, value in (
        ("lastNotification", row.last_notification),
        ("lastSuccess", row.last_success),
        ("lastFailure", row.last_failure),
    ):
        if value is not None:
            notification[key] = _time(value)
    failed = row.consecutive_failures >= failure_threshold
    notification["status"] = "failed" if failed else "ok"
    out["notification"] = notification
    return out
