"""Wiring of the console into the app: its pages, its static files, its public client."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from broker.core.packages import Core, Package
from console.admin import router as admin_router
from console.audit import router as audit_router
from console.dependencies import SignInRequired
from console.session import BASE, CALLBACK, CLIENT_ID, make_cookies
from console.signin import router as signin_router
from console.users import router as users_router

STATIC = Path(__file__).parent / "static"


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    return RedirectResponse(BASE + "/login", status_code=303)


def include_routers(app: FastAPI) -> None:
    app.include_router(signin_router)
    app.include_router(admin_router)
    app.include_router(audit_router)
    app.include_router(users_router)
    app.mount(BASE + "/static", StaticFiles(directory=STATIC), name="console-static")
    app.add_exception_handler(SignInRequired, _sign_in_first)


def console_package(*, secret: str, session_ttl: int) -> Package:
    @asynccontextmanager
    async def start(app: FastAPI, core: Core) -> AsyncIterator[None]:
        """The console's redirect URI registered, its cookies signed. Its client is stored on
        the first sign-in (console.signin.login), so the app starts with the store down."""
        app.state.console_cookies = make_cookies(secret, session_ttl=session_ttl)
        issuer: str = app.state.issuer
        app.state.token_endpoints.register_redirect_uris(CLIENT_ID, (issuer + CALLBACK,))
        yield

    def starter(app: FastAPI, core: Core) -> AbstractAsyncContextManager[None]:
        return start(app, core)

    return Package("console", include_routers=include_routers, start=starter)
