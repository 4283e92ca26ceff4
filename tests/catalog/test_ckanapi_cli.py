"""ckanapi's command line (`ckanapi search datasets`, `ckanapi dump datasets --all`) against
the app served over real HTTP by uvicorn (issue 16): the tools data users script with."""

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
import uvicorn

from broker.core.app import create_app
from tests.catalog.helpers import create
from tests.conftest import make_auth, make_settings
from tests.servers import free_port

CKANAPI = str(Path(sys.executable).with_name("ckanapi"))


@pytest.fixture(scope="module")
def site(database_url: str) -> Iterator[str]:
    """A second app on the same store, with its own lifespan, on a loopback port."""
    port = free_port()
    app = create_app(make_settings(database_url, port=port), auth=make_auth())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the catalog server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def _ckanapi(*args: str) -> list[dict[str, object]]:
    done = await asyncio.to_thread(
        subprocess.run,
        [CKANAPI, *args],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "PATH": f"{Path(CKANAPI).parent}{os.pathsep}{os.environ['PATH']}"},
    )
    assert done.returncode == 0, done.stderr.decode()
    return [orjson.loads(line) for line in done.stdout.splitlines() if line.strip()]


async def test_ckanapi_search_datasets_pages_through_every_match(
    client: httpx.AsyncClient, site: str
) -> None:
    for index in range(3):
        await create(client, name=f"jinryu-{index}")
    await create(client, name="other", title="施設", tags=[], resources=[], notes="")
    found = await _ckanapi("search", "datasets", "q=人流", "-r", site)
    assert sorted(str(item["name"]) for item in found) == ["jinryu-0", "jinryu-1", "jinryu-2"]
    one = await _ckanapi("search", "datasets", "q=人流", "rows:1", "-r", site)
    assert len(one) == 1


async def test_ckanapi_dump_datasets_all(client: httpx.AsyncClient, site: str) -> None:
    await create(client, name="jinryu-a")
    await create(client, name="jinryu-b", owner_org="kawasaki")
    await create(client, name="hidden", private=True)
    dumped = await _ckanapi("dump", "datasets", "--all", "-q", "-r", site)
    assert sorted(str(item["name"]) for item in dumped) == ["jinryu-a", "jinryu-b"]
    organizations = {str(item["owner_org"]) for item in dumped}
    assert organizations == {"yokohama", "kawasaki"}
