"""The FIWARE IoT Agent as a client of Renkei: Renkei served on a loopback port (each store),
every request it receives recorded, and the agent (tests/interop/agent.js on Node) in front."""

import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.core.app import create_app
from tests.auth.helpers import make_client
from tests.conftest import make_auth, make_settings, reset_store
from tests.mqtt import require_mosquitto, unique
from tests.servers import free_port, serve

HERE = Path(__file__).resolve().parent
# The @context the agent names in every entity it sends (IOTA_JSON_LD_CONTEXT): the core one,
# which Renkei resolves without fetching anything.
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
TENANT = "kawasaki"
# How the agent's provisioning API is told the tenant (FIWARE service and service path).
SERVICE_HEADERS = {"fiware-service": TENANT, "fiware-servicepath": "/"}


@dataclass
class Exchange:
    """One request as it reached Renkei (path before any normalisation) and the status sent
    (set once the whole answer is sent, so a status is never seen with half an answer)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    status: int = 0
    answer: bytes = b""

    def __str__(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} {self.body!r} -> {self.status} {self.answer!r}"


@dataclass
class Recorder:
    """ASGI middleware in front of Renkei keeping every HTTP exchange, for assertions and for
    diagnosing a failure (each assertion message lists what the agent sent)."""

    app: ASGIApp
    exchanges: list[Exchange] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = Exchange(
            method=scope["method"],
            path=scope["raw_path"].decode() if scope.get("raw_path") else scope["path"],
            query=scope["query_string"].decode(),
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=None,
        )
        self.exchanges.append(exchange)
        chunks: list[bytes] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    raw = b"".join(chunks)
                    exchange.body = orjson.loads(raw) if raw[:1] in (b"{", b"[") else raw
            return message

        status = 0

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                if len(exchange.answer) < 2000:
                    exchange.answer += message.get("body", b"")
                if not message.get("more_body"):
                    exchange.status = status
            await send(message)

        await self.app(scope, recording_receive, recording_send)

    def from_agent(self, since: int = 0) -> list[Exchange]:
        """What the agent sent, from exchange number `since` on (it names the tenant in
        Fiware-Service too; the test's own reads do not)."""
        return [e for e in self.exchanges[since:] if "fiware-service" in e.headers]


@dataclass
class Renkei:
    url: str
    recorder: Recorder


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The agent's npm packages (package-lock.json), installed on first run with `npm ci`."""
    modules = HERE / "node_modules"
    if not (modules / "iotagent-node-lib").is_dir() or not (modules / "mqtt").is_dir():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise RuntimeError(
                "the interop test needs Node.js and npm (apt-get install nodejs npm)"
            )
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    return modules


@pytest.fixture(scope="module")
def renkei(database_url: str) -> Iterator[Renkei]:
    """A Renkei of its own (auth on, MQTT ingestion off: the agent owns the device topics)
    served by uvicorn on a free port, on the store of `database_url`."""
    recorder = Recorder(create_app(make_settings(database_url), auth=make_auth()))
    with serve(recorder, lifespan=True) as url:
        yield Renkei(url, recorder)


@pytest.fixture(scope="module")
async def agent_token(app: FastAPI, renkei: Renkei) -> AsyncIterator[str]:
    """An access token of a client made for the agent (read and write, one tenant), issued by
    the served Renkei's /oauth2/token with client credentials. The store is emptied after the
    module."""
    client_id, secret = await make_client(
        app, scopes=["ngsi-ld:read", "ngsi-ld:write"], tenants=[TENANT]
    )
    async with httpx.AsyncClient(base_url=renkei.url) as http:
        response = await http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
    assert response.status_code == 200, response.text
    yield str(response.json()["access_token"])
    await reset_store(app)


@dataclass
class Agent:
    north: str
    south: str
    cbroker: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-20_000:]


@pytest.fixture(scope="module")
def agent(
    renkei: Renkei, node_modules: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Agent]:
    """The agent, configured as an operator configures the FIWARE image: NGSI-LD, memory
    registry, OAuth2 with a bearer token (the service group's `trust`), Mosquitto, free ports."""
    mosquitto = require_mosquitto().removeprefix("mqtt://")
    mqtt_host, _, mqtt_port = mosquitto.partition(":")
    north, south = free_port(), free_port()
    env = {
        **os.environ,
        "IOTA_CB_URL": renkei.url,
        "IOTA_CB_NGSI_VERSION": "ld",
        "IOTA_JSON_LD_CONTEXT": CORE_CONTEXT,
        "IOTA_NORTH_PORT": str(north),
        "IOTA_PROVIDER_URL": f"http://127.0.0.1:{north}",
        "IOTA_REGISTRY_TYPE": "memory",
        "IOTA_AUTH_ENABLED": "true",
        "IOTA_AUTH_TYPE": "oauth2",
        "IOTA_AUTH_HEADER": "Authorization",
        "IOTA_AUTH_URL": renkei.url,
        "IOTA_AUTH_TOKEN_PATH": "/oauth2/token",
        "IOTA_AUTH_PERMANENT_TOKEN": "true",
        "IOTA_LOG_LEVEL": "INFO",
        "IOTA_MQTT_HOST": mqtt_host,
        "IOTA_MQTT_PORT": mqtt_port or "1883",
        "IOTA_HTTP_PORT": str(south),
    }
    log = tmp_path_factory.mktemp("iot-agent") / "agent.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [shutil.which("node") or "node", str(HERE / "agent.js")],
            cwd=HERE,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    started = Agent(f"http://127.0.0.1:{north}", f"http://127.0.0.1:{south}", renkei.url, log)
    try:
        _wait_ready(process, started)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(process: subprocess.Popen[bytes], agent: Agent) -> None:
    deadline = time.monotonic() + 60
    while "READY" not in agent.output():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the IoT Agent did not start:\n{agent.output()}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
async def service_group(agent: Agent, agent_token: str) -> str:
    """The municipality's service group on the agent, provisioned once: its API key. Its
    `trust` is the agent's bearer token (the agent's OAuth2 with a permanent token)."""
    group = {
        "apikey": unique("key"),
        "cbroker": agent.cbroker,
        "entity_type": "CrowdFlowObserved",
        "resource": "/iot/json",
        "trust": agent_token,
    }
    async with httpx.AsyncClient(base_url=agent.north, headers=SERVICE_HEADERS) as north:
        made = await north.post("/iot/services", json={"services": [group]})
    assert made.status_code == 201, made.text
    return str(group["apikey"])
