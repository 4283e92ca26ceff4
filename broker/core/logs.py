"""Logging: one line per record, JSON (RENKEI_LOG_FORMAT=json) or text, with the request id,
tenant and client of the request being served, and one access line per HTTP request.

The request's ASGI state is kept in a context variable by RequestIdMiddleware, so any record
logged while serving a request (by Renkei, SQLAlchemy or uvicorn) names it; the tenant and client
are read when the record is written, after authorization has put them there.
"""

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import Scope

ACCESS_LOGGER = "renkei.access"
request_state_var: ContextVar[dict[str, Any] | None] = ContextVar("request_state", default=None)
# Attributes every LogRecord has: anything else given in `extra=` is written as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colours
}
_CONTEXT = ("request_id", "tenant", "client")

access_log = logging.getLogger(ACCESS_LOGGER)


def _request_context(state: dict[str, Any] | None) -> dict[str, str]:
    if not state:
        return {}
    found: dict[str, str] = {}
    if request_id := state.get("request_id"):
        found["request_id"] = str(request_id)
    access = state.get("access")
    tenant = getattr(access, "tenant", None) or state.get("tenant")
    if tenant:
        found["tenant"] = str(tenant)
    principal = state.get("principal")
    if client := getattr(principal, "client_id", None):
        found["client"] = str(client)
    return found


class RequestContextFilter(logging.Filter):
    """Puts request_id, tenant and client on records logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _request_context(request_state_var.get()).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request context, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """The usual text line, followed by the request context when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = " ".join(f"{k}={getattr(record, k)}" for k in _CONTEXT if hasattr(record, k))
        return f"{text} [{context}]" if context else text


def configure_logging(*, level: str, fmt: str, access_lines: bool = True) -> None:
    """Root logging for the `renkei` command: one stderr handler; uvicorn's loggers go through
    it (its own access log is replaced by renkei.access)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    access_log.setLevel(logging.INFO if access_lines else logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def access(scope: Scope, *, status: int, seconds: float) -> None:
    """The access log line of one request (logger renkei.access, level INFO)."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    access_log.info(
        "%s %s %d",
        scope.get("method", ""),
        scope.get("path", ""),
        status,
        extra={
            "method": scope.get("method", ""),
            "path": scope.get("path", ""),
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "remote": client[0] if client else None,
            **_request_context(scope.get("state")),
        },
    )
