"""The one error hierarchy: each error knows its HTTP status and ETSI problem type (RFC 9457)."""

import logging
from typing import Any, ClassVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

ETSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
# Problems the standard does not name (authentication, authorization) use this namespace.
RENKEI_ERRORS = "urn:renkei:errors:"
PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("renkei.errors")


class NgsiLdError(Exception):
    """Base of every error a client may see; renders as application/problem+json."""

    status: ClassVar[int] = 400
    problem: ClassVar[str] = "BadRequestData"
    title: ClassVar[str] = "Bad request data"
    namespace: ClassVar[str] = ETSI_ERRORS

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return self.namespace + self.problem

    def headers(self) -> dict[str, str] | None:
        """Extra response headers this error needs (e.g. WWW-Authenticate)."""
        return None

    def to_problem(self) -> dict[str, Any]:
        return {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


class BadRequestData(NgsiLdError):
    pass


class InvalidRequest(NgsiLdError):
    problem = "InvalidRequest"
    title = "Invalid request"


class PayloadTooLarge(InvalidRequest):
    status = 413
    title = "Request body too large"


class ResourceNotFound(NgsiLdError):
    status = 404
    problem = "ResourceNotFound"
    title = "Resource not found"


class TooManyResults(NgsiLdError):
    """A page larger than the broker serves (clause 5.5.9 / 6.3.10: limit over the maximum)."""

    status = 403
    problem = "TooManyResults"
    title = "Too many results"


class NonexistentTenant(NgsiLdError):
    status = 404
    problem = "NonexistentTenant"
    title = "Tenant does not exist"


class AlreadyExists(NgsiLdError):
    status = 409
    problem = "AlreadyExists"
    title = "Already exists"


class Conflict(NgsiLdError):
    """The operation conflicts with the current state (table 5.5.2-1), e.g. an exclusive
    registration overlapping another registration (clause 4.3.6.3)."""

    status = 409
    problem = "Conflict"
    title = "Conflict"


class OperationNotSupported(NgsiLdError):
    status = 422
    problem = "OperationNotSupported"
    title = "Operation not supported"


class NotAcceptable(NgsiLdError):
    status = 406
    problem = "NotAcceptable"
    title = "Not acceptable"


class UnsupportedMediaType(NgsiLdError):
    status = 415
    problem = "UnsupportedMediaType"
    title = "Unsupported media type"


class LdContextNotAvailable(NgsiLdError):
    status = 503
    problem = "LdContextNotAvailable"
    title = "JSON-LD context not available"


class Unauthorized(NgsiLdError):
    """No valid credentials (RFC 6750: missing, malformed, expired or revoked token)."""

    status = 401
    problem = "Unauthorized"
    title = "Authentication required"
    namespace = RENKEI_ERRORS

    def __init__(self, detail: str, *, error: str | None = None) -> None:
        super().__init__(detail)
        self.error = error

    def headers(self) -> dict[str, str]:
        challenge = 'Bearer realm="renkei"'
        if self.error:
            escaped = self.detail.replace('"', "'")
            challenge += f', error="{self.error}", error_description="{escaped}"'
        return {"WWW-Authenticate": challenge}


class Forbidden(NgsiLdError):
    """Valid credentials that do not allow this request (scope, tenant or entity type)."""

    status = 403
    problem = "Forbidden"
    title = "Forbidden"
    namespace = RENKEI_ERRORS


class InternalError(NgsiLdError):
    status = 500
    problem = "InternalError"
    title = "Internal error"


def problem_response(error: NgsiLdError, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(error.to_problem()),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def _ngsi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NgsiLdError)
    return problem_response(exc, exc.headers())


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
    ]
    return problem_response(BadRequestData("; ".join(problems) or "invalid request"))


_HTTP_PROBLEMS: dict[int, type[NgsiLdError]] = {
    404: ResourceNotFound,
    406: NotAcceptable,
    415: UnsupportedMediaType,
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    cls = _HTTP_PROBLEMS.get(exc.status_code, InvalidRequest)
    error = cls(str(exc.detail))
    body = error.to_problem() | {"status": exc.status_code}
    return Response(
        orjson.dumps(body),
        status_code=exc.status_code,
        media_type=PROBLEM_JSON,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    request_id = _request_id(request)
    log.exception("unhandled error", extra={"request_id": request_id})
    # This handler answers outside every middleware, so it sets the request id header itself.
    return problem_response(
        InternalError(f"unexpected error; quote request id {request_id} to the operator"),
        {"X-Request-Id": request_id} if request_id else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NgsiLdError, _ngsi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
