"""Swagger UI and ReDoc work offline: every asset they load is served by Renkei itself."""

import re

import httpx
import pytest
from fastapi import FastAPI

from broker.core.app import create_app


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_api_document_pages_load_only_local_assets(
    anonymous: httpx.AsyncClient, page: str
) -> None:
    response = await anonymous.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"https?://", html), "the page names an external URL"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assets += re.findall(r"""(?:url|spec-url):\s*["']([^"']+)["']""", html)
    assets += re.findall(r"""spec-url=["']([^"']+)["']""", html)
    assert any(a.endswith(".js") for a in assets)
    assert "/openapi.json" in assets
    for asset in assets:
        loaded = await anonymous.get(asset)
        assert loaded.status_code == 200, asset
        assert loaded.content, asset


async def test_swagger_ui_oauth2_redirect_page_is_served(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "oauth2" in response.text


def test_every_operation_has_a_stable_readable_unique_id() -> None:
    document = create_app().openapi()
    ids = [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][A-Za-z0-9]*", operation_id), operation_id


def test_a_route_without_an_operation_id_is_named_after_its_function() -> None:
    app: FastAPI = create_app()

    @app.get("/test-named")
    async def list_the_things() -> None:
        """A route that names no operation id."""

    operation = app.openapi()["paths"]["/test-named"]["get"]
    assert operation["operationId"] == "listTheThings"
