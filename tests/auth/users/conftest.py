from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import reset_store


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app at its issuer URL (where the console's redirect URI points), keeping
    cookies like a browser and not following redirects."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=app.state.issuer) as http:
        yield http
    await reset_store(app)
