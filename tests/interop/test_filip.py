"""An Orion application written with filip (FIWARE's v2 client library) against Renkei's /v2,
on each store: CRUD, batch, queries, service paths, errors and a subscription notified over
HTTP."""

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.helpers import make_client
from tests.broker.subscriptions.helpers import received, receiver
from tests.conftest import reset_store
from tests.interop.conftest import TENANT, Renkei

HERE = Path(__file__).resolve().parent
FILIP = HERE / ".filip"
REQUIREMENTS = HERE / "filip-requirements.txt"
PIP_INSTALL = (sys.executable, "-m", "pip", "install", "-q", "--upgrade")


@pytest.fixture(scope="session")
def filip_path() -> Path:
    """filip and its dependencies in a directory of their own, installed on first run."""
    stamp = FILIP / ".installed"
    if not stamp.exists() or stamp.read_text() != REQUIREMENTS.read_text():
        result = subprocess.run(
            [*PIP_INSTALL, "--target", str(FILIP), "-r", str(REQUIREMENTS)],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, f"pip install filip failed:\n{result.stderr}"
        stamp.write_text(REQUIREMENTS.read_text())
    return FILIP


@pytest.fixture(scope="module")
async def token(app: FastAPI, renkei: Renkei) -> AsyncIterator[str]:
    client_id, secret = await make_client(
        app, scopes=["ngsi-ld:read", "ngsi-ld:write", "ngsi-ld:subscribe"], tenants=[TENANT]
    )
    async with httpx.AsyncClient(base_url=renkei.url) as http:
        response = await http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
    assert response.status_code == 200, response.text
    yield str(response.json()["access_token"])
    await reset_store(app)


def run_filip(filip: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(HERE / "filip_client.py"), *args],
        env={"PYTHONPATH": str(filip), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    observed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return observed


async def test_an_orion_application_written_with_filip_works_unchanged(
    renkei: Renkei, token: str, filip_path: Path
) -> None:
    with receiver() as target:
        seen = await asyncio.to_thread(run_filip, filip_path, renkei.url, token, TENANT, target.url)
        notifications = await received(target, 1)

    assert seen["version"]["orion"]["version"]
    assert seen["entity"]["id"] == "Room1"
    assert seen["entity"]["temperature"]["value"] == 23.5
    assert seen["entity"]["pressure"]["type"] == "Integer"
    assert seen["value"] == 25
    assert seen["warm"] == ["Room1", "Room2"]
    assert seen["key_values"] == [
        {"id": "Room3", "type": "Room", "temperature": 10.0, "pressure": 720}
    ]
    assert seen["duplicate"] == {
        "status": 422,
        "body": {"error": "Unprocessable", "description": "Already Exists"},
    }
    assert seen["missing"]["status"] == 404
    assert seen["missing"]["body"]["error"] == "NotFound"
    assert seen["other_path"] == []
    assert seen["subtree"] == ["Room1", "Room2", "Room3"]
    assert seen["subscription_id"] in seen["subscriptions"]
    assert seen["after_delete"] == ["Room1", "Room2"]
    data = [e for n in notifications for e in n["data"]]
    assert notifications[0]["subscriptionId"] == seen["subscription_id"]
    assert {
        "id": "Room2",
        "type": "Room",
        "temperature": {"type": "Number", "value": 31, "metadata": {}},
    } in data

    async with httpx.AsyncClient(base_url=renkei.url) as http:
        ld = await http.get(
            "/ngsi-ld/v1/entities/urn:ngsi-ld:Room:Room1",
            headers={"Authorization": f"Bearer {token}", "NGSILD-Tenant": TENANT},
        )
    assert ld.json()["temperature"]["value"] == 25
    assert ld.json()["scope"] == "/kanagawa/yokohama"
