"""Auditor pages: audit log search and CSV download, the verify button, usage per month.

The pages call auth's audit service with the signed-in person's principal: which chains they
may read (every tenant for the prefecture's auditors) is decided there, as for the API.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from auth import scopes
from auth.audit.filters import RecordFilter
from auth.audit.service import export, search, usage_report, verify_log
from auth.cookies import same
from auth.keys.dependencies import KeyRingDep
from broker.core.db import SessionDep
from broker.core.dependencies import DatabaseDep
from broker.core.errors import NgsiLdError
from console.dependencies import Visitor, VisitorDep
from console.pages import error_page, read_form, render
from console.session import BASE

router = APIRouter(include_in_schema=False)
PAGE = 100
FILTER_FIELDS = ("tenant", "client", "from", "to", "method", "status", "kind")


def _denied(request: Request, visitor: Visitor) -> Response | None:
    if visitor.principal.has_scope(scopes.AUDIT_READ):
        return None
    return error_page(request, visitor, 403, f"this page needs the scope {scopes.AUDIT_READ}")


def _when(value: str | None) -> datetime | None:
    """A time of the form; the browser's datetime-local input has no zone: UTC is meant."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _filter(query: dict[str, str]) -> RecordFilter:
    """The search form's fields as the audit service's filter (empty fields: no condition)."""
    kind = query.get("kind") or None
    status = query.get("status") or None
    return RecordFilter(
        None,
        tenant=query.get("tenant") or None,
        client=query.get("client") or None,
        since=_when(query.get("from")),
        until=_when(query.get("to")),
        method=(query.get("method") or "").upper() or None,
        status=int(status) if status else None,
        kind=kind if kind in ("read", "write") else None,
    )


def _query(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "") for k in FILTER_FIELDS}


@router.get(BASE + "/audit")
async def audit_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """Search the audit log, a page of 100 records at a time."""
    if denied := _denied(request, visitor):
        return denied
    query = _query(request)
    offset = max(int(request.query_params.get("offset", "0") or 0), 0)
    try:
        records = await search(
            session, visitor.principal, where=_filter(query), limit=PAGE, offset=offset
        )
    except ValueError as error:
        return error_page(request, visitor, 400, str(error))
    except NgsiLdError as error:
        return error_page(request, visitor, error.status, str(error.detail))
    return render(
        request, "audit.html", visitor, records=records, query=query, offset=offset, page=PAGE
    )


@router.get(BASE + "/audit.csv")
async def audit_csv(request: Request, db: DatabaseDep, visitor: VisitorDep) -> Response:
    """Every record the search finds, as CSV (the auditor API's columns)."""
    if denied := _denied(request, visitor):
        return denied
    try:
        lines = await export(db, visitor.principal, where=_filter(_query(request)), fmt="csv")
    except ValueError as error:
        return error_page(request, visitor, 400, str(error))
    except NgsiLdError as error:
        return error_page(request, visitor, error.status, str(error.detail))
    disposition = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers=disposition)


@router.post(BASE + "/audit/verify")
async def verify_page(
    request: Request, session: SessionDep, keyring: KeyRingDep, visitor: VisitorDep
) -> Response:
    """The verify button: every visible hash chain and signed checkpoint checked now."""
    if denied := _denied(request, visitor):
        return denied
    form = await read_form(request)
    if not same(visitor.csrf, form.get("csrf_token")):
        return error_page(request, visitor, 403, "the form has expired")
    keys = await keyring.verification_keys()
    report = await verify_log(session, visitor.principal, keys=keys, tenant=None)
    return render(
        request,
        "audit.html",
        visitor,
        records=[],
        query=_query(request),
        offset=0,
        page=PAGE,
        report=report,
    )


def by_month(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The service's daily usage rows summed per tenant and month, for the table."""
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = (row["tenant"], row["day"][:7])
        for name, value in row.items():
            if isinstance(value, int) and name not in ("tenant", "client", "day"):
                totals[key][name] += value
    return [{"tenant": t, "month": m, **values} for (t, m), values in sorted(totals.items())]


@router.get(BASE + "/usage")
async def usage_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """Usage per tenant and month (calls, bytes, notifications, entities)."""
    if denied := _denied(request, visitor):
        return denied
    since = request.query_params.get("from") or None
    until = request.query_params.get("to") or None
    try:
        rows = await usage_report(
            session,
            visitor.principal,
            tenant=request.query_params.get("tenant") or None,
            client=None,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
        )
    except ValueError as error:
        return error_page(request, visitor, 400, str(error))
    except NgsiLdError as error:
        return error_page(request, visitor, error.status, str(error.detail))
    months = by_month(rows)
    metrics = sorted({k for row in months for k in row if k not in ("tenant", "month")})
    return render(request, "usage.html", visitor, months=months, metrics=metrics)
