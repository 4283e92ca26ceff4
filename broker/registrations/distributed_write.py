"""Update Entity Attributes (ETSI GS CIM 009 V1.8, 5.6.2 with 4.3.6.2) over the registered
sources: the attributes covered by an exclusive or redirect registration are held by its
source, so the update goes to the source and not to the local store; an inclusive source gets
the update and the local copy is updated too; auxiliary sources are read-only (they never offer
updateAttrs). A source that fails makes the answer partial: its attributes are reported as not
updated (207) and it is named in the NGSILD-Warning header."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.entities.documents import UpdateResult
from broker.jsonld.context import Context
from broker.registrations.distributed import Hop, record, sources_for
from broker.registrations.forwarding import (
    SourceCaller,
    SourceRequest,
    fan_out,
    warnings_header,
)

ENTITY_PATH = "/ngsi-ld/v1/entities/"
AUTHORITATIVE_MODES = frozenset({"exclusive", "redirect"})


@dataclass
class ForwardedUpdate:
    result: UpdateResult
    warning: str | None = None


def _attribute_names(payload: Any) -> list[str]:
    if not isinstance(payload, dict):
        return []
    return [k for k in payload if k not in ("id", "type", "@context")]


async def update_attributes(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    payload: Any,
    context: Context,
    named: Any,
    link: str | None,
    hop: Hop,
    caller: SourceCaller,
    local_update: Callable[[], Awaitable[UpdateResult]],
) -> ForwardedUpdate:
    """`local_update` updates the local store (skipped when an exclusive or redirect source
    holds the attributes)."""
    names = _attribute_names(payload)
    sources = []
    if hop.fans_out and names:
        sources = await sources_for(
            session,
            access,
            hop,
            operation="updateAttrs",
            wanted={"entity_ids": [entity_id], "attrs": [context.expand(n) for n in names]},
        )
    if not sources:
        return ForwardedUpdate(await local_update())
    body = dict(payload)
    if link is None and named is not None:
        body["@context"] = named
    request = SourceRequest(
        "PATCH",
        ENTITY_PATH + quote(entity_id, safe=":") + "/attrs",
        link=link,
        via=hop.via,
        body=body,
    )
    # no transaction is held across the calls: a source may write back into this store
    # (two brokers registered at each other), which SQLite would refuse while we hold a lock
    await session.commit()
    answers = await fan_out(caller, sources, request)
    await record(session, answers)
    held_remotely = any(s.mode in AUTHORITATIVE_MODES for s in sources)
    failed = [a for a in answers if not a.ok or a.status == 404]
    result = UpdateResult() if held_remotely else await local_update()
    if held_remotely:
        if failed:
            reasons = "; ".join(
                f"{a.source.registration_id}: {a.error or a.status}" for a in failed
            )
            result.not_updated = [(n, f"the context source failed ({reasons})") for n in names]
        else:
            result.updated = names
    return ForwardedUpdate(result, warnings_header(answers) if failed else None)
