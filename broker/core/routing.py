"""The route class every Renkei router uses."""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from broker.core.errors import InvalidRequest

NO_ROUTE = "(no route)"
NGSI_LD_ROOT = "/ngsi-ld/"
# RFC 3986 pchar (sub-delims, ":", "@") and "/": kept as is in a Location path; "%", "?", "#"
# and every non-ASCII character are percent-encoded, so the id reads back unchanged.
_PATH_SAFE = "/:@!$&'()*+,;="


def location(collection: str, identifier: str) -> str:
    """The Location of a created resource: header values are ASCII, an IRI id may not be."""
    return f"{collection}/{quote(identifier, safe=_PATH_SAFE)}"


def route_template(scope: Scope) -> str:
    """The matched route's full path template (`/ngsi-ld/v1/entities/{entity_id:path}`), for
    the audit log and metrics; one value for every path no route matched."""
    path: str = scope.get("path", "")
    route = scope.get("route")
    if route is None or not hasattr(route, "path_regex"):
        return NO_ROUTE
    for index, char in enumerate(path):
        if char == "/" and route.path_regex.match(path[index:]):
            return path[:index] + str(route.path)
    return str(route.path)


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route declares, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class RenkeiRoute(APIRoute):
    """Keeps the handler's response on ``request.state.response`` before the session commits.

    FastAPI closes function-scoped dependencies (the request's unit of work) after the handler
    returns and before the response is sent, so commit hooks (the audit record of a write) can
    see the status and size of the response they commit with.

    NGSI-LD routes (`/ngsi-ld/...`) refuse query parameters they do not declare with 400
    InvalidRequest, before the body is read or anything is looked up (ETSI GS CIM 009 6.3.x;
    a misspelt `atrs=` must not silently return every attribute).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = _query_names(self.dependant)

        async def keep_response(request: Request) -> Response:
            if request.url.path.startswith(NGSI_LD_ROOT):
                unknown = sorted(set(request.query_params) - declared)
                if unknown:
                    raise InvalidRequest(
                        f"unknown query parameter(s) {unknown}; this operation takes "
                        f"{sorted(declared) or 'none'}"
                    )
            response = await handler(request)
            request.state.response = response
            return response

        return keep_response
