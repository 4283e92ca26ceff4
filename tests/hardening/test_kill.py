"""SIGKILL of a real `renkei serve` in the middle of load loses nothing (issue 20).

On each store the server is killed at seeded random points while clients create and update
entities over HTTP, upsert batches, devices publish QoS 1 measures over MQTT and a subscription
has notifications on their way to a real HTTP receiver. After the last kill it is started again
on the same store, and then:
- every write acknowledged with a 2xx holds its last acknowledged value (or a later one whose
  answer the kill cut off: committed, but never acknowledged);
- every measure the MQTT broker acknowledged (PUBACK) to its device is stored, and each device's
  entity ends at its last measure: redelivery after a kill neither lost nor replayed one over a
  newer one;
- every change acknowledged produced a notification that reached the receiver;
- the audit log verifies (`renkei audit verify`): no chain has a gap, and each acknowledged
  HTTP write has its record.
"""

import asyncio
import json
import random
import re
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from broker.core.migrate import upgrade
from connectors.mqtt.connection import MqttConnection, MqttOptions
from tests.broker.subscriptions.helpers import Receiver, receiver
from tests.hardening.cli import renkei, run_sql, store_env
from tests.hardening.load import (
    BATCH_TYPE,
    DEVICE_TYPE,
    ENTITY_TYPE,
    HttpLoad,
    Ledger,
    Measures,
)
from tests.hardening.process import ServeProcess
from tests.mqtt import own_mosquitto, unique

SEED = 20  # issue 20: the kill points are the same on every run
KILLS = 3  # per store
TENANT = "killtest"
WRITERS, ENTITIES_PER_WRITER, BATCH_ENTITIES, DEVICES = 4, 3, 10, 3
ADMIN = "prefecture-admin"  # the admin client the first start creates (RENKEI_ADMIN_CLIENT_ID)


async def within(
    seconds: float, check: Callable[[], Awaitable[tuple[bool, Any]]], what: str
) -> None:
    """Poll `check` (done, what is missing) until done; fail naming `what` and what is still
    missing after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        done, missing = await check()
        if done:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s; missing: {missing}")
        await asyncio.sleep(0.1)


async def _admin_headers(http: httpx.AsyncClient, server: ServeProcess) -> dict[str, str]:
    """Headers of the admin client the first start printed, in the tenant it registers."""
    secret = re.search(r"client_secret: (\S+)", server.output())
    assert secret, server.output()
    form = {"grant_type": "client_credentials"}
    token = await http.post("/oauth2/token", data=form, auth=(ADMIN, secret.group(1)))
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    tenant = await http.post("/admin/v1/tenants", json={"id": TENANT}, headers=headers)
    assert tenant.status_code == 201, tenant.text
    return headers | {"NGSILD-Tenant": TENANT, "Fiware-Service": TENANT}


async def _provision(http: httpx.AsyncClient, notify_url: str) -> tuple[str, dict[str, str]]:
    """A subscription to the HTTP-written types; a device group and its devices. Returns the
    API key and the devices' entity ids by device id."""
    subscription = {
        "type": "Subscription",
        "entities": [{"type": ENTITY_TYPE}, {"type": BATCH_TYPE}],
        "notification": {"endpoint": {"uri": notify_url}},
    }
    response = await http.post("/ngsi-ld/v1/subscriptions", json=subscription)
    assert response.status_code == 201, response.text
    apikey = unique("killkey")
    group = {"apikey": apikey, "entity_type": DEVICE_TYPE}
    response = await http.post("/iot/services", json={"services": [group]})
    assert response.status_code == 201, response.text
    devices = [{"device_id": f"dev{i}", "apikey": apikey} for i in range(DEVICES)]
    response = await http.post("/iot/devices", json={"devices": devices})
    assert response.status_code == 201, response.text
    entities = {}
    for device in devices:
        found = await http.get(f"/iot/devices/{device['device_id']}")
        assert found.status_code == 200, found.text
        entities[device["device_id"]] = found.json()["entity_name"]
    return apikey, entities


async def _load_until_killed(
    server: ServeProcess, load: HttpLoad, writes: int, delay: float
) -> None:
    """Run the HTTP load until `writes` more writes are acknowledged, then `delay` seconds
    more; SIGKILL the server, and let the requests in flight fail."""
    entity_ids = [
        [f"urn:ngsi-ld:{ENTITY_TYPE}:w{w}-{j}" for j in range(ENTITIES_PER_WRITER)]
        for w in range(WRITERS)
    ]
    batch_ids = [f"urn:ngsi-ld:{BATCH_TYPE}:b{j}" for j in range(BATCH_ENTITIES)]
    target = len(load.ledger.request_ids) + writes
    tasks = [asyncio.create_task(load.writer(ids)) for ids in entity_ids]
    tasks.append(asyncio.create_task(load.batches(batch_ids)))

    async def progressed() -> tuple[bool, Any]:
        return len(load.ledger.request_ids) >= target, dict(load.ledger.statuses)

    await within(60, progressed, f"{writes} acknowledged writes")
    await asyncio.sleep(delay)
    server.kill()
    await asyncio.sleep(0.3)  # the requests in flight learn that their answer is lost
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _left_behind(url: str) -> tuple[int, int]:
    """Notifications in the outbox and audit entries not yet sealed, in the killed store."""
    outbox, inbox = await run_sql(
        url, "SELECT count(*) FROM notification_outbox", "SELECT count(*) FROM audit_inbox"
    )
    return int(outbox[0][0]), int(inbox[0][0])


async def _stored(http: httpx.AsyncClient, entity_type: str) -> dict[str, dict[str, Any]]:
    response = await http.get("/ngsi-ld/v1/entities", params={"type": entity_type, "limit": 1000})
    assert response.status_code == 200, response.text
    return {e["id"]: e for e in response.json()}


def _notified(hook: Receiver) -> set[tuple[str, int]]:
    return {
        (entity["id"], entity["v"]["value"])
        for entity in hook.entities()
        if isinstance(entity.get("v"), dict)
    }


@dataclass
class Run:
    """One store's kill run: the server, the load's ledgers, and what the checks found."""

    server: ServeProcess
    http: httpx.AsyncClient
    hook: Receiver
    load: HttpLoad
    devices: dict[str, str] = field(default_factory=dict)  # device id: entity id
    kills: list[str] = field(default_factory=list)
    found: dict[str, Any] = field(default_factory=dict)

    @property
    def ledger(self) -> Ledger:
        return self.load.ledger


def _env(url: str, mqtt_url: str) -> dict[str, str]:
    return store_env(
        url,
        RENKEI_MQTT_ENABLED="1",
        RENKEI_MQTT_URL=mqtt_url,
        RENKEI_MQTT_CLIENT_ID=unique("renkei-kill"),  # the same on every restart
        RENKEI_IOT_BATCH_INTERVAL="0.02",
        RENKEI_NOTIFY_CLAIM_LEASE="2",  # a send cut off by the kill is tried again 2 s later
        RENKEI_AUDIT_FLUSH_INTERVAL="0.2",
        RENKEI_AUDIT_CHECKPOINT_INTERVAL="1",  # checkpoints are signed between the kills
        RENKEI_GRACEFUL_TIMEOUT="5",
        RENKEI_LOG_LEVEL="WARNING",
        RENKEI_ACCESS_LOG="0",
    )


async def _kill_rounds(run: Run, rng: random.Random, measures: Measures) -> None:
    """KILLS times: load, SIGKILL at a seeded point, note what the store kept for later, start
    again on it. The devices publish throughout, also while the server is down."""
    stop = asyncio.Event()
    publishing = [asyncio.create_task(measures.device(d, stop)) for d in run.devices]
    for number in range(KILLS):
        if number:
            await run.server.start()  # on the store the kill left behind
        writes, delay = rng.randint(5, 40), round(rng.uniform(0, 0.2), 3)
        await _load_until_killed(run.server, run.load, writes, delay)
        outbox, inbox = await _left_behind(run.server.env["RENKEI_DATABASE_URL"])
        run.kills.append(
            f"after {writes} writes + {delay} s: {outbox} notifications in the outbox, "
            f"{inbox} audit entries unsealed"
        )
    await run.server.start()
    stop.set()  # the last measures reach a live server
    await asyncio.gather(*publishing)


async def _check_measures(run: Run, measures: Measures) -> None:
    async def last_measures() -> tuple[bool, Any]:
        stored = await _stored(run.http, DEVICE_TYPE)
        last = {d: stored.get(e, {}).get("seq", {}).get("value") for d, e in run.devices.items()}
        return last == measures.pubacked, {"stored": last, "pubacked": measures.pubacked}

    await within(30, last_measures, "each device's entity at its last PUBACKed measure")
    stored = await _stored(run.http, DEVICE_TYPE)
    run.found["measures lost"] = [
        (d, k)
        for d, entity_id in run.devices.items()
        for k in range(1, measures.pubacked[d] + 1)
        if stored[entity_id].get(f"m{k}", {}).get("value") != k
    ]


async def _check_writes_and_notifications(run: Run) -> None:
    stored = await _stored(run.http, ENTITY_TYPE) | await _stored(run.http, BATCH_TYPE)
    values = {e: stored[e]["v"]["value"] for e in stored}
    run.found["writes lost or wrong"] = {
        e: (values.get(e), sorted(run.ledger.allowed(e)))
        for e in run.ledger.acked
        if values.get(e) not in run.ledger.allowed(e)
    }
    due = run.ledger.every_acked | set(values.items())
    run.found["notifications due"] = len(due)

    async def all_notified() -> tuple[bool, Any]:
        missing = due - _notified(run.hook)
        return not missing, sorted(missing)[:20]

    await within(30, all_notified, "a notification of every acknowledged change")


async def _check_audit(run: Run) -> None:
    """After a graceful stop (the audit buffer flushed): `renkei audit verify`, and a record
    of every acknowledged HTTP write."""
    env = run.server.env
    verified = await asyncio.to_thread(renkei, "audit", "verify", env=env)
    assert verified.stdout.startswith("{"), verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    (audited,) = await run_sql(
        env["RENKEI_DATABASE_URL"],
        "SELECT request_id FROM audit_records WHERE request_id LIKE 'kill-%'",
    )
    run.found["audit"] = report
    run.found["audit exit"] = verified.returncode
    run.found["writes without audit record"] = run.ledger.request_ids - {r[0] for r in audited}


async def test_sigkill_under_load_loses_nothing_acknowledged(
    scratch_url: str, tmp_path: Path
) -> None:
    store = scratch_url.split("+")[0]
    rng = random.Random(f"{SEED}-{store}")
    await asyncio.to_thread(upgrade, scratch_url)
    with own_mosquitto("max_queued_messages 100000") as broker, receiver() as hook:
        server = ServeProcess(_env(scratch_url, broker.url), tmp_path / "serve.log")
        await server.start()
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            headers = await _admin_headers(http, server)
            http.headers.update(headers)
            run = Run(server, http, hook, HttpLoad(server.base, headers, Ledger()))
            apikey, run.devices = await _provision(http, hook.url)
            devices = MqttConnection(
                MqttOptions.from_url(broker.url, client_id=unique("kill-dev"), manual_ack=False)
            )
            async with devices:
                measures = Measures(devices, apikey, interval=0.2)
                await _kill_rounds(run, rng, measures)
            await _check_measures(run, measures)
            await _check_writes_and_notifications(run)
        assert server.stop() in (0, -signal.SIGTERM), server.output()
    await _check_audit(run)

    ledger, found = run.ledger, run.found
    chain = next(c for c in found["audit"]["chains"] if c["tenant"] == TENANT)
    print(
        f"\n[{store}] {KILLS} SIGKILLs, {server.starts} starts; kills: {'; '.join(run.kills)}\n"
        f"  HTTP: {len(ledger.every_acked)} entity writes acknowledged in "
        f"{len(ledger.request_ids)} requests {dict(ledger.statuses)}; "
        f"{len(found['writes lost or wrong'])} lost or wrong\n"
        f"  MQTT: {measures.total} QoS 1 measures PUBACKed, {len(found['measures lost'])} lost\n"
        f"  notifications: {found['notifications due']} due, all delivered in "
        f"{len(hook.notifications)} notifications\n"
        f"  audit: chain {TENANT} {chain['records']} records, {chain['checkpoints']} "
        f"checkpoints, intact {chain['intact']}, unsealed {found['audit']['unsealed']}; "
        f"{len(found['writes without audit record'])} acknowledged writes without a record"
    )
    assert ledger.acked and measures.total and ledger.statuses["cut off"] >= 1  # it tried
    assert not found["writes lost or wrong"]
    assert not found["measures lost"]
    assert found["audit exit"] == 0 and found["audit"]["intact"], found["audit"]
    assert found["audit"]["unsealed"] == 0
    assert not found["writes without audit record"]
