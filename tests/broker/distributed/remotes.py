"""Real remote brokers for the distributed tests: `renkei serve` processes on loopback, each
with its own SQLite file and auth off (a municipality's own broker), and a source that
answers too late."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.broker.entities.helpers import create, headers
from tests.broker.registrations.helpers import register
from tests.servers import free_port, serve
from tests.test_cli import ROOT, renkei

ENTITIES = "/ngsi-ld/v1/entities"
REGISTRATIONS = "/ngsi-ld/v1/csourceRegistrations"


@contextmanager
def remote_broker(data_dir: Path) -> Iterator[str]:
    """A second Renkei, as operators run it; yields its base URL."""
    port = free_port()
    env = {
        "RENKEI_DATA_DIR": str(data_dir),
        "RENKEI_PORT": str(port),
        "RENKEI_MQTT_ENABLED": "0",
        "RENKEI_AUTH_DISABLED": "1",
        "RENKEI_NOTIFY_ALLOW_PRIVATE": "1",
        "RENKEI_ACCESS_LOG": "0",
        "RENKEI_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir}/renkei.db",
    }
    assert renkei("migrate", env=env).returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "broker.cli", "serve"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "remote broker exited"
            assert time.monotonic() < deadline, "remote broker did not start"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def slow_source() -> Iterator[str]:
    """A source that takes 5 s to answer any query (far past the timeouts the tests set)."""

    async def late(request: Request) -> JSONResponse:
        await asyncio.sleep(5)
        return JSONResponse([])

    app = Starlette(routes=[Route(ENTITIES, late)])
    with serve(app) as url:
        yield url


def remote_tenant() -> str:
    """A tenant of its own on the remote brokers for each test: their stores outlive a test."""
    return f"t{uuid.uuid4().hex[:12]}"


def put(url: str, tenant: str, *entities: dict[str, Any]) -> None:
    """Stores entities on a remote broker, directly (as its municipality does)."""
    for entity in entities:
        response = httpx.post(f"{url}{ENTITIES}", json=entity, headers={"NGSILD-Tenant": tenant})
        assert response.status_code == 201, response.text


def register_at(url: str, tenant: str, body: dict[str, Any]) -> None:
    """A registration on a remote broker (for the loop of two brokers)."""
    response = httpx.post(f"{url}{REGISTRATIONS}", json=body, headers={"NGSILD-Tenant": tenant})
    assert response.status_code == 201, response.text


def source(endpoint: str, *, tenant: str | None = None, **fields: Any) -> dict[str, Any]:
    """A registration of people-flow sensors held by `endpoint`."""
    body: dict[str, Any] = {
        "type": "ContextSourceRegistration",
        "information": [{"entities": [{"type": "CrowdFlowObserved"}]}],
        "endpoint": endpoint,
        "mode": "inclusive",
    }
    if tenant is not None:
        body["tenant"] = tenant
    body.update(fields)
    return body


def sensor(number: int, count: int = 100, observed: str = "2026-11-22T09:00:00Z") -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:CrowdFlowObserved:{number:03d}",
        "type": "CrowdFlowObserved",
        "peopleCount": {"type": "Property", "value": count, "observedAt": observed},
    }


async def status(client: httpx.AsyncClient, registration: str) -> dict[str, Any]:
    response = await client.get(
        f"/ngsi-ld/v1/csourceRegistrations/{registration}", headers=headers("kawasaki")
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def linked(
    client: httpx.AsyncClient,
    url: str,
    remote: Sequence[dict[str, Any]],
    local: Sequence[dict[str, Any]] = (),
) -> str:
    """Entities on a remote broker (in a tenant of their own) and here, and the remote
    registered in kawasaki: the registration id."""
    tenant = remote_tenant()
    put(url, tenant, *remote)
    for entity in local:
        await create(client, entity, tenant="kawasaki")
    registration = await register(client, source(url, tenant=tenant), tenant="kawasaki")
    return registration


@contextmanager
def recording_source(seen: list[dict[str, str]]) -> Iterator[str]:
    """A source that answers every query with no entity and keeps the headers it was sent."""

    async def record(request: Request) -> JSONResponse:
        seen.append({**dict(request.headers), "query": request.url.query})
        return JSONResponse([])

    app = Starlette(routes=[Route(ENTITIES, record)])
    with serve(app) as url:
        yield url


PEOPLE = "https://uri.etsi.org/ngsi-ld/default-context/peopleCount"


async def linked_in_mode(
    client: httpx.AsyncClient,
    url: str,
    mode: str,
    remote: dict[str, Any],
    local: dict[str, Any],
    operations: Sequence[str] = (),
) -> str:
    """`remote` on the broker at `url`, `local` here, and the remote registered in kawasaki
    in `mode` (redirect: for the entity's peopleCount): the remote tenant."""
    tenant = remote_tenant()
    put(url, tenant, remote)
    await create(client, local, tenant="kawasaki")
    information = [{"entities": [{"type": "CrowdFlowObserved"}]}]
    if mode == "redirect":
        information = [
            {
                "entities": [{"type": "CrowdFlowObserved", "id": remote["id"]}],
                "propertyNames": [PEOPLE],
            }
        ]
    fields: dict[str, Any] = {"mode": mode, "information": information}
    if mode == "auxiliary":
        fields["operations"] = ["retrieveOps"]
    elif operations:
        fields["operations"] = list(operations)
    await register(client, source(url, tenant=tenant, **fields), tenant="kawasaki")
    return tenant
