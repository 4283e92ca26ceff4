"""ASGI middleware: a request id on every request and response (X-Request-Id)."""

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.core.logs import request_state_var

REQUEST_ID_HEADER = b"x-request-id"
_VALID_ID = re.compile(rb"^[A-Za-z0-9._\-]{1,128}$")
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER)
        request_id = given.decode() if given and _VALID_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        token = request_id_var.set(request_id)
        state_token = request_state_var.set(state)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            request_state_var.reset(state_token)


class TrailingSlashMiddleware:
    """Every route answers the same with and without a trailing slash, with no redirect.

    Standard clients (the FIWARE IoT Agent, conformance suites) send `/entities/` and
    `/entityOperations/upsert/`; a 307 would cost them a round trip and lose the body in some.
    The path is normalised before routing, so routes, the audit log and metrics see one form.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/") or "/"
                raw: bytes | None = scope.get("raw_path")
                if raw is not None:
                    scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


class LengthRequiredMiddleware:
    """Clauses 6.3.2, 6.3.4: an NGSI-LD POST, PATCH or PUT without a Content-Length header
    (a chunked body) is answered 411 with no payload body, before tenant or route is looked at."""

    METHODS = frozenset({"POST", "PATCH", "PUT"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in self.METHODS
            and scope["path"].startswith("/ngsi-ld/")
            and not any(name == b"content-length" for name, _ in scope["headers"])
        ):
            await send({"type": "http.response.start", "status": 411, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
