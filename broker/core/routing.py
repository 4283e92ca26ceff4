"""The route class every Renkei router uses."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response


class RenkeiRoute(APIRoute):
    """Keeps the handler's response on ``request.state.response`` before the session commits.

    FastAPI closes function-scoped dependencies (the request's unit of work) after the handler
    returns and before the response is sent, so commit hooks (the audit record of a write) can
    see the status and size of the response they commit with.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def keep_response(request: Request) -> Response:
            response = await handler(request)
            request.state.response = response
            return response

        return keep_response
