"""Audit entries of HTTP requests, from what the request left on its ASGI scope state.

`auth.dependencies` leaves the principal, the required scope and the access (tenant) there;
the unit of work leaves its journal (entity ids); AuditMiddleware the timing and byte counts.
"""

import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import Scope

from auth import scopes
from auth.audit.entry import NO_TENANT, READ, WRITE, AuditEntry
from broker.core.routing import route_template

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STARTED = "audit_started"
AT = "audit_at"
BYTES_IN = "audit_bytes_in"


def _source(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0])[:64] if client else None


def entry_for(scope: Scope, *, status: int, bytes_out: int) -> AuditEntry:
    state: dict[str, Any] = scope.get("state", {})
    principal = state.get("principal")
    access = state.get("access")
    journal = state.get("journal")
    method = scope.get("method", "")
    scope_used = state.get("scope")
    reading = scope_used in scopes.READ_ONLY or (scope_used is None and method in READ_METHODS)
    started = state.get(STARTED, time.perf_counter())
    return AuditEntry(
        recorded_at=state.get(AT) or datetime.now(UTC),
        tenant=access.tenant if access is not None else NO_TENANT,
        method=method,
        route=route_template(scope),
        path=scope.get("path", "")[:2048],
        status=status,
        kind=READ if reading else WRITE,
        request_id=state.get("request_id"),
        client_id=principal.client_id if principal else None,
        subject=principal.subject if principal else None,
        requested_tenant=state.get("tenant"),
        entity_ids=list(journal.entity_ids) if journal else [],
        entity_count=journal.entity_count if journal else 0,
        latency_us=int((time.perf_counter() - started) * 1_000_000),
        bytes_in=state.get(BYTES_IN, 0),
        bytes_out=bytes_out,
        source=_source(scope),
    )
