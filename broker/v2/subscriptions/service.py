"""/v2/subscriptions as calls to broker's subscription services (one model, one delivery)."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import BadRequestData, ResourceNotFound
from broker.jsonld.context import Context
from broker.subscriptions import service as subscriptions
from broker.subscriptions.service import Subscriptions
from broker.v2.dependencies import ServicePath
from broker.v2.subscriptions import mapping

NOT_FOUND = "The requested subscription has not been found. Check id"


def scope_q(path: ServicePath) -> str | None:
    """The scopeQ of the service paths a subscription made under `path` sees."""
    query = path.scope_query
    return ",".join(p for (p,) in query) if query is not None else None


async def create(
    session: AsyncSession,
    access: Access,
    deps: Subscriptions,
    *,
    body: Any,
    context: Context,
    path: ServicePath,
) -> str:
    """A new subscription, notified of entities in its service paths; its v2 id is 24 hex
    digits, as Orion's are."""
    v2_id = uuid.uuid4().hex[:24]
    document = mapping.to_ld(body, v2_id, scope_q=scope_q(path))
    await subscriptions.create_subscription(
        session, access, deps, payload=document, context=context
    )
    return v2_id


async def _ld(
    session: AsyncSession, access: Access, deps: Subscriptions, v2_id: str
) -> dict[str, Any]:
    try:
        return await subscriptions.retrieve_subscription(
            session, access, deps, subscription_id=mapping.ld_subscription_id(v2_id)
        )
    except (ResourceNotFound, BadRequestData) as exc:
        raise ResourceNotFound(NOT_FOUND) from exc


async def retrieve(
    session: AsyncSession, access: Access, deps: Subscriptions, *, v2_id: str
) -> dict[str, Any]:
    return mapping.from_ld(await _ld(session, access, deps, v2_id))


async def page(
    session: AsyncSession,
    access: Access,
    deps: Subscriptions,
    *,
    limit: int,
    offset: int,
    count: bool,
) -> tuple[list[dict[str, Any]], int | None]:
    found = await subscriptions.query_subscriptions(
        session, access, deps, limit=limit, offset=offset, count=count
    )
    return [mapping.from_ld(item) for item in found.items], found.total


async def update(
    session: AsyncSession,
    access: Access,
    deps: Subscriptions,
    *,
    v2_id: str,
    body: Any,
    context: Context,
) -> None:
    """PATCH: the fragment's members replace the stored ones, as Orion does."""
    if not isinstance(body, dict) or not body:
        raise BadRequestData("a subscription fragment is a non-empty JSON object")
    ld = await _ld(session, access, deps, v2_id)
    current = mapping.from_ld(ld)
    merged = {**current, **body}
    if "notification" in body and isinstance(body["notification"], dict):
        kept = dict(current["notification"])
        if {"http", "httpCustom"} & set(body["notification"]):
            kept.pop("http", None)
            kept.pop("httpCustom", None)
        merged["notification"] = {**kept, **body["notification"]}
    document = mapping.to_ld(merged, v2_id, scope_q=ld.get("scopeQ"))
    if "expires" not in body:
        document.pop("expiresAt", None)  # unchanged: not checked against the clock again
    await subscriptions.update_subscription(
        session,
        access,
        deps,
        subscription_id=document["id"],
        payload=document,
        context=context,
    )


async def delete(session: AsyncSession, access: Access, *, v2_id: str) -> None:
    try:
        await subscriptions.delete_subscription(
            session, access, subscription_id=mapping.ld_subscription_id(v2_id)
        )
    except (ResourceNotFound, BadRequestData) as exc:
        raise ResourceNotFound(NOT_FOUND) from exc
