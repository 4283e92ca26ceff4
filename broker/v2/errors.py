"""Orion's error shape for the v2 face: `{"error": ..., "description": ...}` with Orion's codes.

The broker raises its one error hierarchy (broker/core/errors.py) everywhere; the v2 routes
render those errors as Orion does instead of as application/problem+json, and echo
Fiware-Correlator on every answer.
"""

import uuid
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

import orjson
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from broker.core.errors import AlreadyExists, BadRequestData, NgsiLdError, Unauthorized
from broker.core.routing import RenkeiRoute

CORRELATOR = "Fiware-Correlator"

# NGSI-LD problem type -> (Orion status, Orion error name).
_ORION: dict[str, tuple[int, str]] = {
    "BadRequestData": (400, "BadRequest"),
    "InvalidRequest": (400, "BadRequest"),
    "ResourceNotFound": (404, "NotFound"),
    "NonexistentTenant": (404, "NotFound"),
    "AlreadyExists": (422, "Unprocessable"),
    "Unprocessable": (422, "Unprocessable"),
    "TooManyResults": (409, "TooManyResults"),
    "OperationNotSupported": (400, "BadRequest"),
    "NotAcceptable": (406, "NotAcceptable"),
    "UnsupportedMediaType": (415, "UnsupportedMediaType"),
    "Unauthorized": (401, "Unauthorized"),
    "Forbidden": (403, "Forbidden"),
    "InternalError": (500, "InternalServerError"),
}


class Unprocessable(NgsiLdError):
    """Orion's 422: the request is well formed but contradicts what is stored."""

    status = 422
    problem = "Unprocessable"
    title = "Unprocessable"


class AmbiguousEntity(NgsiLdError):
    """A v2 id without type that names entities of several types (Orion's 409)."""

    status: ClassVar[int] = 409
    problem = "TooManyResults"
    title = "Too many results"


def orion_body(error: NgsiLdError) -> tuple[int, dict[str, str]]:
    status, name = _ORION.get(error.problem, (error.status, error.problem))
    if error.status == 413:
        status, name = 413, "RequestEntityTooLarge"
    description = "Already Exists" if isinstance(error, AlreadyExists) else error.detail
    return status, {"error": name, "description": description}


def orion_response(error: NgsiLdError) -> Response:
    status, body = orion_body(error)
    headers = error.headers() if isinstance(error, Unauthorized) else None
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


class OrionError(Exception):
    """A broker error raised by a v2 route: it leaves the unit of work (which rolls back) and
    is rendered in Orion's shape by `orion_error`."""

    def __init__(self, error: NgsiLdError) -> None:
        super().__init__(error.detail)
        self.error = error


def _validation(exc: RequestValidationError) -> BadRequestData:
    return BadRequestData(
        "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
    )


async def orion_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OrionError)
    response = orion_response(exc.error)
    response.headers[CORRELATOR] = request.headers.get(CORRELATOR) or str(uuid.uuid4())
    return response


class V2Route(RenkeiRoute):
    """A Renkei route answering errors in Orion's shape, with Fiware-Correlator echoed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def orion(request: Request) -> Response:
            try:
                response = await handler(request)
            except NgsiLdError as error:
                raise OrionError(error) from error
            except RequestValidationError as exc:
                raise OrionError(_validation(exc)) from exc
            response.headers[CORRELATOR] = request.headers.get(CORRELATOR) or str(uuid.uuid4())
            return response

        return orion
