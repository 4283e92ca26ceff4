"""CKAN's response envelope, for results and for errors, and the route class of /api/3/.

    {"help": "<site>/api/3/action/help_show?name=package_show", "success": true, "result": ...}
    {"help": ..., "success": false, "error": {"__type": "Not Found Error", "message": "..."}}

Errors of the one hierarchy (broker.core.errors) keep their meaning but take CKAN's type and
status: a catalog error names its own `ckan_type` (catalog.errors); auth's 401 and 403 are
CKAN's 403 Authorization Error; a 404 is a Not Found Error; any other client error is a 400
"Bad request". A validation error carries its fields beside `__type`, as CKAN's does.
"""

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from broker.core.errors import NgsiLdError
from broker.core.routing import RenkeiRoute
from catalog.errors import BadRequest, ValidationFailed


def help_url(request: Request) -> str:
    action = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    base = str(request.base_url).rstrip("/")
    return f"{base}/api/3/action/help_show?name={action}"


def envelope(request: Request, result: Any) -> Response:
    body = {"help": help_url(request), "success": True, "result": result}
    return Response(orjson.dumps(body), media_type="application/json")


def ckan_error(exc: NgsiLdError) -> tuple[int, dict[str, Any]]:
    """The status and the `error` object CKAN gives for one of our errors."""
    if isinstance(exc, ValidationFailed):
        return 409, {"__type": "Validation Error", **exc.fields}
    ckan_type = getattr(exc, "ckan_type", None)
    status = getattr(exc, "ckan_status", None) or exc.status
    if ckan_type is None:
        if exc.status in (401, 403):
            ckan_type, status = "Authorization Error", 403
        elif exc.status == 404:
            ckan_type = "Not Found Error"
        elif exc.status < 500:
            ckan_type, status = "Bad request", 400
        else:
            ckan_type = "Internal Server Error"
    return status, {"__type": ckan_type, "message": exc.detail}


def error_response(request: Request, status: int, error: dict[str, Any]) -> Response:
    body = {"help": help_url(request), "success": False, "error": error}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _validation_fields(exc: RequestValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        fields.setdefault(".".join(location) or "__all__", []).append(str(error.get("msg")))
    return fields


class CkanRoute(RenkeiRoute):
    """Renders every error of an action in CKAN's envelope instead of problem+json. The
    request's unit of work has already rolled back when the error arrives here."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def in_envelope(request: Request) -> Response:
            try:
                return await handler(request)
            except BadRequest as exc:
                message = orjson.dumps(f"Bad request - {exc.detail}")
                response = Response(message, status_code=400, media_type="application/json")
            except NgsiLdError as exc:
                response = error_response(request, *ckan_error(exc))
            except RequestValidationError as exc:
                response = error_response(
                    request, 409, {"__type": "Validation Error", **_validation_fields(exc)}
                )
            request.state.response = response
            return response

        return in_envelope
