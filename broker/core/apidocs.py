"""API documents that work offline: Swagger UI at /docs and ReDoc at /redoc, their scripts,
styles and icon served by Renkei from the `fastapi-offline` package, never from a CDN."""

import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static/apidocs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def operation_id(route: APIRoute) -> str:
    """The operationId of a route that names none: its function name in camelCase, so ids stay
    stable and readable (FastAPI's default mixes in the path and method)."""
    head, *rest = re.split(r"_+", route.name)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def install_api_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect, /redoc and their assets (app made with docs_url=None,
    redoc_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="apidocs")

    def _root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
