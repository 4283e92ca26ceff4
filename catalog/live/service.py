"""Live downloads: a live resource's saved broker query, run through broker's query service
(never its SQL) in the query's tenant, a page at a time.

Who may download is who may see the resource's dataset (catalog.datasets: a public dataset's
live resource is open to anyone); what is read is the saved query's tenant only, which must be
the dataset's own organization, so publishing a dataset never exposes another tenant's
entities. Before streaming, one pass over the pages gives the columns of a CSV and the
validators (ETag, Last-Modified from the newest modifiedAt), so an unchanged download is a 304
without a second pass."""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.core.db import Database
from broker.entities.query.service import (
    KEY_VALUES_VIEW,
    EntityQuery,
    QueryResult,
    query_entities,
    saved_query,
)
from broker.jsonld.context import Context, ContextResolver
from catalog.access import Caller
from catalog.datasets.resource_service import visible_resource
from catalog.errors import NotFound
from catalog.live import formats

PAGE = 500


@dataclass(frozen=True, slots=True)
class LiveQuery:
    tenant: str
    query: EntityQuery
    context: Context
    attrs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str
    last_modified: datetime | None
    columns: list[str]


async def live_query(
    session: AsyncSession,
    caller: Caller,
    contexts: ContextResolver,
    *,
    dataset_id: str | None,
    resource_id: str,
) -> LiveQuery:
    """The saved query of a live resource the caller may see, in its dataset's tenant."""
    resource = await visible_resource(session, caller, resource_id)
    saved = resource.query or {}
    if dataset_id is not None and dataset_id not in (resource.dataset.id, resource.dataset.name):
        raise NotFound("Not found: Resource was not found.")
    if resource.kind != "live":
        raise NotFound("Not found: Resource is not a live resource")
    tenant = saved.get("tenant") or resource.tenant_id
    if tenant != resource.dataset.tenant_id:
        raise NotFound("Not found: the live query names another organization's data")
    context_url = saved.get("context")
    context = await contexts.resolve([context_url] if context_url else None)
    attrs = tuple(saved.get("attrs") or ())
    query = saved_query(
        type=saved.get("type"),
        q=saved.get("q"),
        attrs=list(attrs) or None,
        georel=saved.get("georel"),
        geometry=saved.get("geometry"),
        coordinates=saved.get("coordinates"),
        geoproperty=saved.get("geoproperty"),
    )
    return LiveQuery(tenant, query, context, attrs)


async def page_of(
    session: AsyncSession, live: LiveQuery, *, limit: int, offset: int, count: bool = False
) -> QueryResult:
    """One page of the query's entities in keyValues form, read in the query's tenant."""
    return await query_entities(
        session,
        Access.system(live.tenant),
        query=live.query,
        context=live.context,
        representation=KEY_VALUES_VIEW,
        limit=limit,
        offset=offset,
        count=count,
    )


async def pages(db: Database, live: LiveQuery) -> AsyncIterator[QueryResult]:
    """Every page of the query's entities, each read in its own short read transaction."""
    offset = 0
    while True:
        async with db.transaction(write=False) as session:
            result = await page_of(session, live, limit=PAGE, offset=offset)
        yield result
        if not result.more:
            return
        offset += PAGE


def project(entity: dict[str, Any], attrs: tuple[str, ...]) -> dict[str, Any]:
    if not attrs:
        return entity
    return {k: v for k, v in entity.items() if k in ("id", "type") or k in attrs}


async def validators(db: Database, live: LiveQuery, *, variant: str) -> Validators:
    """ETag and Last-Modified of the current entities, and the CSV columns they have."""
    digest = hashlib.sha256(variant.encode())
    newest: datetime | None = None
    seen: set[str] = set()
    async for result in pages(db, live):
        for record, entity in zip(result.records, result.entities, strict=True):
            digest.update(f"{record.id}\x00{record.modified_at.isoformat()}\x00".encode())
            newest = record.modified_at if newest is None else max(newest, record.modified_at)
            seen |= formats.flatten(project(entity, live.attrs)).keys()
    names = ["id", "type", *live.attrs] if live.attrs else formats.columns(seen)
    return Validators(f'"{digest.hexdigest()[:32]}"', newest, names)


async def stream_csv(
    db: Database, live: LiveQuery, names: list[str], *, encoding: str
) -> AsyncIterator[bytes]:
    first = True
    async for result in pages(db, live):
        rows = [formats.flatten(project(e, live.attrs)) for e in result.entities]
        text = formats.csv_lines(rows, names if first else None, names)
        yield formats.encode(text, encoding, first=first)
        first = False
    if first:  # no entity: the header alone
        yield formats.encode(formats.csv_lines([], names, names), encoding, first=True)


async def stream_json(db: Database, live: LiveQuery, *, geojson: bool) -> AsyncIterator[bytes]:
    yield formats.json_open(geojson)
    first = True
    async for result in pages(db, live):
        entities = [project(e, live.attrs) for e in result.entities]
        chunk = formats.json_items(entities, first=first, geojson=geojson)
        if entities:
            first = False
        yield chunk
    yield formats.json_close(geojson)
