from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from auth.clients.service import ensure_public_client
from tests.conftest import reset_store


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app at its issuer URL (where the console's redirect URI points), keeping
    cookies like a browser and not following redirects. The console's client is stored, as
    its first sign-in (/console/login) does."""
    async with app.state.db.transaction() as session:
        await ensure_public_client(session, client_id="renkei-console", name="Renkei console")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=app.state.issuer) as http:
        yield http
    await reset_store(app)
