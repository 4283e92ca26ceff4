"""`renkei serve --workers N`: several server processes on PostgreSQL, refused where one
process must own the store or the MQTT broker."""

import asyncio
import re
import signal
from pathlib import Path

import httpx
import orjson

from broker.core.migrate import upgrade
from connectors.mqtt.connection import MqttConnection, MqttOptions
from tests.hardening.cli import renkei, store_env
from tests.hardening.process import ServeProcess
from tests.mqtt import unique

ADMIN = "prefecture-admin"
TENANT = "workers"


def _children(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    env = store_env(f"sqlite+aiosqlite:///{tmp_path / 'renkei.db'}", RENKEI_WORKERS="2")
    assert renkei("migrate", env=env).returncode == 0
    refused = renkei("serve", env=env, timeout=30)
    assert refused.returncode == 1
    assert "SQLite has one writer" in refused.stderr


def test_workers_without_a_shared_mqtt_broker_are_refused(postgres_scratch_url: str) -> None:
    env = store_env(postgres_scratch_url, RENKEI_MQTT_ENABLED="1")
    assert renkei("migrate", env=env).returncode == 0
    refused = renkei("serve", "--workers", "2", env=env, timeout=30)
    assert refused.returncode == 1
    assert "RENKEI_MQTT_URL" in refused.stderr
    env["RENKEI_MQTT_URL"] = "mqtt://127.0.0.1:1883"
    refused = renkei("serve", "--workers", "2", env=env, timeout=30)
    assert refused.returncode == 1
    assert "RENKEI_MQTT_SHARED_GROUP" in refused.stderr


async def test_two_workers_serve_one_store_and_stop_together(
    postgres_scratch_url: str, tmp_path: Path
) -> None:
    await asyncio.to_thread(upgrade, postgres_scratch_url)
    env = store_env(
        postgres_scratch_url,
        RENKEI_WORKERS="2",
        RENKEI_MQTT_ENABLED="1",
        RENKEI_MQTT_URL="mqtt://127.0.0.1:1883",
        RENKEI_MQTT_CLIENT_ID=unique("renkei-workers"),
        RENKEI_MQTT_SHARED_GROUP=unique("workers"),
        RENKEI_IOT_BATCH_INTERVAL="0.02",
        RENKEI_GRACEFUL_TIMEOUT="5",
    )
    server = ServeProcess(env, tmp_path / "serve.log")
    await server.start()
    assert server.process is not None
    try:
        workers = _children(server.process.pid)
        # uvicorn's supervisor forks the workers (and a resource tracker may sit beside them)
        assert len(workers) >= 2, server.output()
        # both workers bootstrap the same store; exactly one creates the admin client
        secrets = re.findall(r"client_secret: (\S+)", server.output())
        assert len(secrets) == 1, server.output()
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            form = {"grant_type": "client_credentials"}
            token = await http.post("/oauth2/token", data=form, auth=(ADMIN, secrets[0]))
            assert token.status_code == 200, token.text
            auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
            created = await http.post("/admin/v1/tenants", json={"id": TENANT}, headers=auth)
            assert created.status_code == 201, created.text
            tenant = auth | {"NGSILD-Tenant": TENANT}
            ids = [f"urn:ngsi-ld:Counter:{n}" for n in range(40)]
            # new connections each time, so the kernel hands them to either worker
            for entity_id in ids:
                async with httpx.AsyncClient(base_url=server.base, timeout=10) as once:
                    body = {"id": entity_id, "type": "Counter", "n": {"value": 1}}
                    made = await once.post("/ngsi-ld/v1/entities", json=body, headers=tenant)
                    assert made.status_code == 201, made.text
            found = await http.get(
                "/ngsi-ld/v1/entities", params={"type": "Counter", "limit": 100}, headers=tenant
            )
            assert sorted(e["id"] for e in found.json()) == sorted(ids)
            await _each_measure_is_taken_once(http, tenant | {"Fiware-Service": TENANT})
    finally:
        code = server.stop()
    assert code in (0, -signal.SIGTERM), server.output()
    assert not _children(server.process.pid)


async def _each_measure_is_taken_once(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Both workers subscribe to the devices' topics in one shared group: every measure is
    stored once: no value appears twice in the history. (Measures of one device that arrive
    within one ingestion batch are stored as one update, so they are sent apart.)"""
    apikey = unique("workerskey")
    group = {"apikey": apikey, "entity_type": "Counter"}
    made = await http.post("/iot/services", json={"services": [group]}, headers=headers)
    assert made.status_code == 201, made.text
    device = {"device_id": "dev1", "apikey": apikey}
    made = await http.post("/iot/devices", json={"devices": [device]}, headers=headers)
    assert made.status_code == 201, made.text
    entity_id = (await http.get("/iot/devices/dev1", headers=headers)).json()["entity_name"]
    options = MqttOptions.from_url("mqtt://127.0.0.1:1883", client_id=unique("workers-dev"))
    async with MqttConnection(options) as devices:
        for k in range(1, 21):
            topic = f"/{apikey}/dev1/attrs"
            await devices.publish(topic, orjson.dumps({"seq": k}), qos=1)
            await asyncio.sleep(0.15)
    history: list[object] = []
    for _ in range(100):
        found = await http.get(
            f"/ngsi-ld/v1/temporal/entities/{entity_id}",
            params={"attrs": "seq", "lastN": "100", "options": "temporalValues"},
            headers=headers,
        )
        if found.status_code == 200:
            history = [pair[0] for pair in found.json().get("seq", {}).get("values", [])]
            if 20 in history:
                break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # a measure taken twice would land by now
    found = await http.get(
        f"/ngsi-ld/v1/temporal/entities/{entity_id}",
        params={"attrs": "seq", "lastN": "100", "options": "temporalValues"},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    values = [pair[0] for pair in found.json()["seq"]["values"]]
    assert len(values) == len(set(values)), str(values)
    assert 20 in values and len(values) >= 10, values
