"""The audit log: what is recorded, that writes commit their record with them, that tampering
is found, the auditor API, and usage reports."""

import asyncio
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select, text

from auth.audit.entry import record_hash
from auth.audit.models import AuditRecord
from broker.core.app import create_app
from tests.auth.helpers import audit_rows, bearer, sealed
from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, create, headers, people_flow
from tests.conftest import make_auth, make_settings

ROOT = Path(__file__).resolve().parents[3]
RECORDS = "/audit/v1/records"


async def _records(http: httpx.AsyncClient, **params: object) -> list[dict[str, object]]:
    response = await http.get(RECORDS, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_write_is_recorded_with_who_what_where_and_how_it_went(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        ENTITIES, json=people_flow(), headers={**headers("yokohama"), "X-Request-Id": "req-77"}
    )
    assert response.status_code == 201
    await sealed(app)
    (record,) = await _records(client, tenant="yokohama", method="POST")
    assert record["requestId"] == "req-77"
    assert record["clientId"] == "test-admin" and record["subject"] == "test-admin"
    assert record["route"] == "/ngsi-ld/v1/entities"
    assert record["path"] == "/ngsi-ld/v1/entities"
    assert record["status"] == 201 and record["kind"] == "write"
    assert record["entityIds"] == [SENSOR_ID] and record["entityCount"] == 1
    assert record["bytesIn"] == len(orjson.dumps(people_flow()))
    assert record["latencyMs"] > 0
    assert record["source"] == "127.0.0.1"
    assert record["seq"] == 1 and len(record["hash"]) == 64


async def test_a_write_commits_its_record_in_its_own_transaction(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create(client, tenant="yokohama")
    inbox = await audit_rows(app, "SELECT entry FROM audit_inbox")
    entries = [
        e["entry"] if isinstance(e["entry"], dict) else orjson.loads(e["entry"]) for e in inbox
    ]
    assert [(e["method"], e["status"]) for e in entries if e["tenant"] == "yokohama"] == [
        ("POST", 201)
    ]


async def test_a_failed_write_leaves_no_record_in_its_transaction_but_is_recorded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create(client, tenant="yokohama")
    await sealed(app)  # the app's own worker may hold the 201's row
    again = await client.post(ENTITIES, json=people_flow(), headers=headers("yokohama"))
    assert again.status_code == 409
    assert await audit_rows(app, "SELECT id FROM audit_inbox") == []
    await sealed(app)
    statuses = [r["status"] for r in await _records(client, tenant="yokohama", method="POST")]
    assert statuses == [201, 409]


async def test_reads_are_buffered_then_written_in_batches(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create(client, tenant="yokohama")
    await sealed(app)
    for _ in range(3):
        assert (
            await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("yokohama"))
        ).status_code == 200
    assert await audit_rows(app, "SELECT id FROM audit_inbox") == []
    await sealed(app)
    reads = await _records(client, tenant="yokohama", kind="read")
    assert len(reads) == 3
    assert reads[0]["route"] == "/ngsi-ld/v1/entities/{entity_id:path}"
    assert reads[0]["entityIds"] == [SENSOR_ID]


async def test_refused_and_admin_calls_are_recorded_outside_tenants(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await anonymous.get(ENTITIES, params={"type": "T"}, headers=headers("yokohama"))
    await client.post("/admin/v1/tenants", json={"id": "zushi", "code": "142085"})
    await sealed(app)
    outside = await _records(client, tenant="*")
    refused = [r for r in outside if r["status"] == 401]
    assert refused and refused[0]["requestedTenant"] is None and refused[0]["clientId"] is None
    (admin,) = [r for r in outside if r["route"] == "/admin/v1/tenants"]
    assert admin["status"] == 201 and admin["kind"] == "write"


async def test_probes_are_not_recorded(app: FastAPI, client: httpx.AsyncClient) -> None:
    await client.get("/health")
    await client.get("/ready")
    await sealed(app)
    assert not [r for r in await _records(client) if r["path"] in ("/health", "/ready")]


async def test_read_buffer_is_flushed_at_shutdown(
    app: FastAPI, database_url: str, client: httpx.AsyncClient
) -> None:
    application = create_app(make_settings(database_url), auth=make_auth(auth_disabled=True))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await http.get(ENTITIES, params={"type": "Shutdown"})
    rows = await audit_rows(app, "SELECT path FROM audit_records WHERE subject = 'local'")
    assert [r["path"] for r in rows] == ["/ngsi-ld/v1/entities"]


async def _verify(client: httpx.AsyncClient, tenant: str = "yokohama") -> dict[str, object]:
    response = await client.get("/audit/v1/verify", params={"tenant": tenant})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _chain_of_five(app: FastAPI, client: httpx.AsyncClient) -> None:
    for n in range(5):
        await create(client, people_flow(f"urn:ngsi-ld:CrowdFlowObserved:{n}"), tenant="yokohama")
    await sealed(app)
    await app.state.audit.checkpoint()
    for n in range(5, 7):
        await create(client, people_flow(f"urn:ngsi-ld:CrowdFlowObserved:{n}"), tenant="yokohama")
    await sealed(app)
    report = await _verify(client)
    assert report["intact"] is True
    assert report["chains"][0]["records"] == 7 and report["chains"][0]["checkpoints"] == 1


async def _execute(app: FastAPI, sql: str, **params: object) -> None:
    async with app.state.db.transaction() as session:
        await session.execute(text(sql).bindparams(**params))


async def test_an_edited_record_is_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    await _chain_of_five(app, client)
    await _execute(
        app, "UPDATE audit_records SET status = 200 WHERE tenant_id = 'yokohama' AND seq = 3"
    )
    chain = (await _verify(client))["chains"][0]  # type: ignore[index]
    assert chain["intact"] is False and chain["firstBreak"] == 3
    assert "altered" in chain["problems"][0]["problem"]


async def test_a_deleted_record_is_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    await _chain_of_five(app, client)
    await _execute(app, "DELETE FROM audit_records WHERE tenant_id = 'yokohama' AND seq = 4")
    chain = (await _verify(client))["chains"][0]  # type: ignore[index]
    assert chain["firstBreak"] == 4 and "missing" in chain["problems"][0]["problem"]


async def test_records_deleted_from_the_end_are_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _chain_of_five(app, client)
    await _execute(app, "DELETE FROM audit_records WHERE tenant_id = 'yokohama' AND seq >= 6")
    chain = (await _verify(client))["chains"][0]  # type: ignore[index]
    assert chain["firstBreak"] == 6


async def test_a_chain_rewritten_with_fresh_hashes_fails_its_signed_checkpoint(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _chain_of_five(app, client)
    async with app.state.db.transaction() as session:
        records = list(
            await session.scalars(
                select(AuditRecord)
                .where(AuditRecord.tenant_id == "yokohama")
                .order_by(AuditRecord.seq)
            )
        )
        previous = records[1].hash
        for record in records[2:]:  # an attacker rewrites from seq 3 on, relinking every hash
            if record.seq == 3:
                record.status = 200
            record.prev_hash = previous
            record.hash = previous = record_hash(
                {c: getattr(record, c) for c in AuditRecord.__table__.columns.keys()}  # noqa: SIM118
            )
        await session.execute(
            text("UPDATE audit_chains SET head_hash = :h WHERE tenant_id = 'yokohama'").bindparams(
                h=previous
            )
        )
    chain = (await _verify(client))["chains"][0]  # type: ignore[index]
    assert chain["intact"] is False
    assert chain["problems"] == [
        {"seq": 5, "problem": "the record at a signed checkpoint is not the one that was signed"}
    ]


async def test_renkei_audit_verify_exits_1_on_a_broken_chain(
    app: FastAPI, client: httpx.AsyncClient, database_url: str
) -> None:
    await _chain_of_five(app, client)
    env = {**os.environ, "RENKEI_DATABASE_URL": database_url}

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "broker.cli", "audit", "verify", "--tenant", "yokohama"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    intact = verify()
    assert intact.returncode == 0, intact.stdout + intact.stderr
    await _execute(app, "DELETE FROM audit_records WHERE tenant_id = 'yokohama' AND seq = 2")
    broken = verify()
    assert broken.returncode == 1
    assert orjson.loads(broken.stdout)["chains"][0]["firstBreak"] == 2


async def test_concurrent_sealers_keep_the_chain_linear(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from auth.audit.entry import AuditEntry

    await app.state.audit.seal()
    for n in range(600):
        app.state.audit.record(
            AuditEntry(
                recorded_at=__import__("datetime").datetime.now(__import__("datetime").UTC),
                tenant="kawasaki",
                method="GET",
                route="/x",
                path=f"/x/{n}",
                status=200,
                kind="read",
            )
        )
    await app.state.audit.flush()
    await asyncio.gather(*(app.state.audit.seal() for _ in range(4)))
    report = await _verify(client, "kawasaki")
    assert report["intact"] is True and report["chains"][0]["records"] == 600


async def test_search_filters_and_exports(app: FastAPI, client: httpx.AsyncClient) -> None:
    await create(client, tenant="yokohama")
    await create(client, tenant="kawasaki")
    await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("kawasaki"))
    await client.get(f"{ENTITIES}/urn:ngsi-ld:Nothing:1", headers=headers("kawasaki"))
    await sealed(app)
    assert [r["status"] for r in await _records(client, tenant="kawasaki", status=404)] == [404]
    assert len(await _records(client, route="/ngsi-ld/v1/entities", tenant="kawasaki")) == 1
    assert len(await _records(client, client="test-admin", kind="write", tenant="yokohama")) == 1
    assert await _records(client, **{"from": "2100-01-01T00:00:00Z"}) == []
    ndjson = await client.get(RECORDS, params={"tenant": "kawasaki", "format": "ndjson"})
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    lines = [orjson.loads(line) for line in ndjson.text.splitlines()]
    assert [line["status"] for line in lines] == [201, 200, 404]
    exported = await client.get(RECORDS, params={"tenant": "kawasaki", "format": "csv"})
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["status"] for row in table] == ["201", "200", "404"]
    assert table[0]["entityIds"] == SENSOR_ID


async def test_large_exports_stream_every_record(app: FastAPI, client: httpx.AsyncClient) -> None:
    from datetime import UTC, datetime

    from auth.audit.entry import AuditEntry

    for n in range(4500):
        app.state.audit.record(
            AuditEntry(
                recorded_at=datetime.now(UTC),
                tenant="sagamihara",
                method="GET",
                route="/x",
                path=f"/x/{n}",
                status=200,
                kind="read",
            )
        )
    await sealed(app)
    exported = await client.get(RECORDS, params={"tenant": "sagamihara", "format": "ndjson"})
    paths = [orjson.loads(line)["path"] for line in exported.text.splitlines()]
    assert len(paths) == 4500 and len(set(paths)) == 4500


async def test_an_auditor_sees_only_its_tenants(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, tenant="yokohama")
    await create(client, tenant="kawasaki")
    await sealed(app)
    auditor = await bearer(anonymous, app, scopes=["audit:read"], tenants=["yokohama"])
    mine = (await anonymous.get(RECORDS, headers=auditor)).json()
    assert {r["tenant"] for r in mine} == {"yokohama"}
    theirs = await anonymous.get(RECORDS, params={"tenant": "kawasaki"}, headers=auditor)
    assert theirs.status_code == 403
    report = (await anonymous.get("/audit/v1/verify", headers=auditor)).json()
    assert [c["tenant"] for c in report["chains"]] == ["yokohama"]
    usage = (await anonymous.get("/audit/v1/usage", headers=auditor)).json()
    assert {u["tenant"] for u in usage} == {"yokohama"}


async def test_usage_is_counted_per_tenant_client_and_day(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from datetime import UTC, datetime

    await create(client, tenant="yokohama")
    await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("yokohama"))
    await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("yokohama"))
    async with app.state.db.transaction() as session:
        await app.state.usage.count(
            session,
            tenant="yokohama",
            client="test-admin",
            metric="notifications_sent",
            amount=4,
            at=datetime.now(UTC),
        )
    await sealed(app)
    await app.state.audit.snapshot_usage()
    rows = (await client.get("/audit/v1/usage", params={"tenant": "yokohama"})).json()
    today = app.state.usage.day(datetime.now(UTC)).isoformat()
    by_client = {r["client"]: r for r in rows if r["day"] == today}
    admin = by_client["test-admin"]
    assert (admin["reads"], admin["writes"], admin["notificationsSent"]) == (2, 1, 4)
    assert admin["bytesIn"] == len(orjson.dumps(people_flow()))
    assert admin["bytesOut"] > 0
    assert by_client[None]["entitiesStored"] == 1


@pytest.mark.parametrize("params", [{"kind": "maybe"}, {"limit": 5000}, {"from": "yesterday"}])
async def test_bad_audit_queries_are_400(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    response = await client.get(RECORDS, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_nul_in_a_request_path_is_recorded_and_spoils_no_batch(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """PostgreSQL text cannot hold NUL: the hostile request is recorded with NUL written as
    \\u0000, and the requests buffered with it are recorded too (they were all lost)."""
    await client.get(ENTITIES, params={"type": "T"}, headers=headers("yokohama"))
    refused = await client.get(f"{ENTITIES}/urn:ngsi-ld:T:a%00b", headers=headers("yokohama"))
    assert refused.status_code == 400
    await client.get(ENTITIES, params={"type": "T"}, headers=headers("yokohama"))
    await sealed(app)
    records = await _records(client, tenant="yokohama")
    paths = [r["path"] for r in records]
    assert f"{ENTITIES}/urn:ngsi-ld:T:a\\u0000b" in paths
    assert paths.count(ENTITIES) == 2
    verified = await client.get("/audit/v1/verify")
    assert verified.status_code == 200, verified.text
