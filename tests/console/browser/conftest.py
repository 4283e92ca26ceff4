"""A real `renkei` server on loopback and headless Chromium (Debian's, through Playwright).

Every page the browser opens is watched: a request to any host but 127.0.0.1 is aborted and
recorded, and the test fails on it (the console works with no network)."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, Route, async_playwright

from broker.core.app import create_app
from tests.conftest import make_auth, make_settings, reset_store
from tests.servers import free_port, serve

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[1] / "output"


@pytest.fixture(scope="module")
def server(database_url: str, app: FastAPI) -> Iterator[str]:
    """A Renkei app of its own on a loopback port, its issuer that address (after the test
    app, which registered the test tenants in the same store)."""
    port = free_port()
    application = create_app(make_settings(database_url, port=port), auth=make_auth())
    with serve(application, port, lifespan=True) as url:
        yield url


@dataclass
class Watched:
    page: Page
    base: str
    external: list[str] = field(default_factory=list)

    async def shot(self, name: str) -> None:
        OUTPUT.mkdir(exist_ok=True)
        await self.page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        await browser.close()


@pytest.fixture
async def watched(chromium: Browser, server: str, app: FastAPI) -> AsyncIterator[Watched]:
    context = await chromium.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    seen = Watched(page, server)

    async def only_loopback(route: Route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            seen.external.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_loopback)
    yield seen
    await context.close()
    await reset_store(app)
    assert seen.external == [], "requests left the machine"
