"""The auditor API: /audit/v1/records (search, NDJSON and CSV export), /verify, /usage."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response, StreamingResponse

from auth import scopes
from auth.audit import service
from auth.audit.filters import RecordFilter
from auth.dependencies import require_principal
from auth.keys.dependencies import KeyRingDep
from auth.principals import Principal
from broker.core.db import SessionDep
from broker.core.dependencies import DatabaseDep, Offset
from broker.core.routing import RenkeiRoute

router = APIRouter(prefix="/audit/v1", tags=["audit"], route_class=RenkeiRoute)
Auditor = Annotated[Principal, Depends(require_principal(scopes.AUDIT_READ))]
_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


def _filter(
    tenant: Annotated[str | None, Query(description="chain (tenant); `*` outside any")] = None,
    client: Annotated[str | None, Query(description="client id")] = None,
    since: Annotated[datetime | None, Query(alias="from", description="from this time")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="before this time")] = None,
    route: Annotated[str | None, Query(description="route template")] = None,
    method: Annotated[str | None, Query(description="HTTP method, or MQTT")] = None,
    status: Annotated[int | None, Query(description="HTTP status")] = None,
    kind: Annotated[Literal["read", "write"] | None, Query()] = None,
) -> RecordFilter:
    return RecordFilter(None, tenant, client, since, until, route, method, status, kind)


@router.get(
    "/records",
    operation_id="searchAuditRecords",
    responses={200: {"content": {m: {} for m in _MEDIA.values()}}},
)
async def search_records(
    db: DatabaseDep,
    session: SessionDep,
    principal: Auditor,
    where: Annotated[RecordFilter, Depends(_filter)],
    format: Literal["json", "ndjson", "csv"] = "json",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> Response:
    """Audit records in time order: a JSON page, or every match streamed as NDJSON or CSV."""
    if format == "json":
        body = await service.search(session, principal, where=where, limit=limit, offset=offset)
        return Response(orjson.dumps(body), media_type="application/json")
    lines = await service.export(db, principal, where=where, fmt=format)
    return StreamingResponse(lines, media_type=_MEDIA[format])


@router.get("/verify", operation_id="verifyAuditLog")
async def verify_log(
    keyring: KeyRingDep,
    session: SessionDep,
    principal: Auditor,
    tenant: Annotated[str | None, Query(description="one chain; default every visible one")] = None,
) -> dict[str, Any]:
    """Whether every chain is intact, and where each broken one breaks."""
    keys = await keyring.verification_keys()
    return await service.verify_log(session, principal, keys=keys, tenant=tenant)


@router.get("/usage", operation_id="usageReport")
async def usage_report(
    session: SessionDep,
    principal: Auditor,
    tenant: str | None = None,
    client: str | None = None,
    since: Annotated[date | None, Query(alias="from", description="first day")] = None,
    until: Annotated[date | None, Query(alias="to", description="last day")] = None,
) -> list[dict[str, Any]]:
    """Usage per tenant, client and day (RENKEI_USAGE_TIMEZONE): calls, bytes, notifications,
    entities stored."""
    return await service.usage_report(
        session, principal, tenant=tenant, client=client, since=since, until=until
    )
