"""The auditor's view (scope audit:read): search and export records, verify, usage reports.

A principal of every tenant sees every chain, the `*` chain of calls outside any tenant
included; any other auditor sees only the chains of its tenants.
"""

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import orjson
from joserfc.jwk import KeySet
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.filters import RecordFilter
from auth.audit.models import AuditRecord
from auth.audit.repository import AuditRepository, UsageRepository
from auth.audit.usage import METRICS
from auth.audit.verify import verify
from auth.principals import Principal
from broker.core.db import Database
from broker.core.errors import Forbidden

FIELDS = (
    "tenant",
    "seq",
    "recordedAt",
    "requestId",
    "clientId",
    "subject",
    "requestedTenant",
    "method",
    "route",
    "path",
    "status",
    "kind",
    "entityIds",
    "entityCount",
    "latencyMs",
    "bytesIn",
    "bytesOut",
    "source",
    "prevHash",
    "hash",
)


def visible_tenants(principal: Principal, tenant: str | None) -> list[str] | None:
    """The chains this principal may read (None: all); 403 for a tenant outside them."""
    if principal.all_tenants:
        return None
    if tenant is not None and tenant not in principal.tenants:
        raise Forbidden(f"this client may not audit tenant {tenant}")
    return sorted(principal.tenants)


def record_body(r: AuditRecord) -> dict[str, Any]:
    return {
        "tenant": r.tenant_id,
        "seq": r.seq,
        "recordedAt": r.recorded_at.isoformat().replace("+00:00", "Z"),
        "requestId": r.request_id,
        "clientId": r.client_id,
        "subject": r.subject,
        "requestedTenant": r.requested_tenant,
        "method": r.method,
        "route": r.route,
        "path": r.path,
        "status": r.status,
        "kind": r.kind,
        "entityIds": r.entity_ids,
        "entityCount": r.entity_count,
        "latencyMs": r.latency_us / 1000,
        "bytesIn": r.bytes_in,
        "bytesOut": r.bytes_out,
        "source": r.source,
        "prevHash": r.prev_hash,
        "hash": r.hash,
    }


async def search(
    session: AsyncSession, principal: Principal, *, where: RecordFilter, limit: int, offset: int
) -> list[dict[str, Any]]:
    where = replace(where, tenants=visible_tenants(principal, where.tenant))
    return [
        record_body(r)
        async for r in AuditRepository(session).search(where, limit=limit, offset=offset)
    ]


def _csv_line(values: Sequence[Any]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue().encode()


async def export(
    db: Database, principal: Principal, *, where: RecordFilter, fmt: str
) -> AsyncIterator[bytes]:
    """Every matching record as NDJSON or CSV, streamed from its own read session."""
    where = replace(where, tenants=visible_tenants(principal, where.tenant))

    async def lines() -> AsyncIterator[bytes]:
        if fmt == "csv":
            yield _csv_line(FIELDS)
        async with db.read_session() as session:
            async for record in AuditRepository(session).search(where, limit=None):
                body = record_body(record)
                if fmt == "csv":
                    body["entityIds"] = " ".join(body["entityIds"])
                    yield _csv_line([body[f] for f in FIELDS])
                else:
                    yield orjson.dumps(body) + b"\n"

    return lines()


async def verify_log(
    session: AsyncSession, principal: Principal, *, keys: KeySet, tenant: str | None
) -> dict[str, Any]:
    visible = visible_tenants(principal, tenant)
    wanted = [tenant] if tenant is not None else visible
    reports, unsealed = await verify(session, keys, wanted)
    return {
        "intact": all(r.intact for r in reports),
        "unsealed": unsealed,
        "chains": [r.body() for r in reports],
    }


async def usage_report(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant: str | None,
    client: str | None,
    since: date | None,
    until: date | None,
) -> list[dict[str, Any]]:
    """One row per tenant, client and day, with every usage metric (0 when none)."""
    counters = await UsageRepository(session).usage(
        tenants=visible_tenants(principal, tenant),
        tenant=tenant,
        client=client,
        since=since,
        until=until,
    )
    rows: dict[tuple[str, str, date], dict[str, Any]] = defaultdict(dict)
    for c in counters:
        rows[(c.tenant_id, c.client_id, c.day)][c.metric] = c.value
    return [
        {
            "tenant": t,
            "client": c or None,
            "day": d.isoformat(),
            **{_camel(m): values.get(m, 0) for m in METRICS},
        }
        for (t, c, d), values in sorted(rows.items())
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)
