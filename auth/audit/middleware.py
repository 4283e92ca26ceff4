"""AuditMiddleware: every HTTP call is recorded (probes and API documents excepted).

A write that committed has its entry already in the inbox (committed with the write); every
other call's entry is built here after the response and buffered for the audit worker.
"""

import time
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth.audit.requests import AT, BYTES_IN, STARTED, entry_for

# Not recorded: probes, metrics scrapes and the API documents and their assets.
UNAUDITED_PREFIXES = (
    "/health",
    "/ready",
    "/metrics",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/static",
    "/console/static",  # the console's stylesheet
)
IN_TRANSACTION = "audit_in_transaction"
COMMITTED = "committed"


class AuditMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNAUDITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[STARTED] = time.perf_counter()
        state[AT] = datetime.now(UTC)
        state[BYTES_IN] = 0
        status = 500
        bytes_out = 0

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state[BYTES_IN] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            nonlocal status, bytes_out
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                bytes_out += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            if not (state.get(IN_TRANSACTION) and state.get(COMMITTED)):
                audit = getattr(scope["app"].state, "audit", None)
                if audit is not None:
                    audit.record(entry_for(scope, status=status, bytes_out=bytes_out))
