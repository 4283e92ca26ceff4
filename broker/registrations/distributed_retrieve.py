"""Distributed Retrieve Entity (ETSI GS CIM 009 V1.8, 5.7.1 with 4.3.6): the local entity and
the matching sources' versions of it, merged; 404 only when no side holds it."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.errors import ResourceNotFound
from broker.entities import service as local_entities
from broker.entities.render import Representation, render_entity
from broker.jsonld.context import Context
from broker.registrations import merge
from broker.registrations.distributed import Hop, record, sources_for
from broker.registrations.forwarding import (
    SourceCaller,
    SourceRequest,
    fan_out,
    warnings_header,
)

ENTITY_PATH = "/ngsi-ld/v1/entities/"


@dataclass(frozen=True)
class RetrievedEntity:
    entity: dict[str, Any]
    warning: str | None = None


async def _local(
    session: AsyncSession, access: Access, *, entity_id: str, **selection: Any
) -> dict[str, Any] | None:
    try:
        found = await local_entities.retrieve_entity(
            session, access, entity_id=entity_id, **selection
        )
    except ResourceNotFound:
        return None
    return render_entity(found, selection["context"], selection["representation"])


async def retrieve_entity(
    session: AsyncSession,
    access: Access,
    *,
    entity_id: str,
    representation: Representation,
    entity_type: str | None,
    context: Context,
    hop: Hop,
    caller: SourceCaller,
    params: Sequence[tuple[str, str]],
    link: str | None,
) -> RetrievedEntity:
    """5.7.1 Retrieve Entity over the local store and the registered sources."""
    selection: dict[str, Any] = {
        "representation": representation,
        "entity_type": entity_type,
        "context": context,
    }
    if not hop.fans_out or not (
        sources := await sources_for(
            session, access, hop, operation="retrieveEntity", wanted={"entity_ids": [entity_id]}
        )
    ):
        found = await local_entities.retrieve_entity(
            session, access, entity_id=entity_id, **selection
        )
        return RetrievedEntity(render_entity(found, context, representation))
    local = await _local(session, access, entity_id=entity_id, **selection)
    request = SourceRequest(
        "GET",
        ENTITY_PATH + quote(entity_id, safe=":"),
        tuple((k, v) for k, v in params if k != "local"),
        link=link,
        via=hop.via,
    )
    answers = await fan_out(caller, sources, request)
    await record(session, answers)
    versions = [] if local is None else [local]
    ranks = [] if local is None else [merge.mode_rank(None)]
    for answer in answers:
        if answer.ok and isinstance(answer.body, dict) and "id" in answer.body:
            versions.append(answer.body)
            ranks.append(merge.mode_rank(answer.source.mode))
    if not versions:
        raise ResourceNotFound(f"entity {entity_id} not found")
    return RetrievedEntity(merge.merge_entity(versions, ranks), warnings_header(answers))
