"""v2 requests are audited exactly as NGSI-LD ones: one sealed record each, failures included."""

import httpx
from fastapi import FastAPI

from tests.auth.helpers import audit_rows, sealed
from tests.broker.v2.helpers import JSON, fiware, room


async def test_v2_writes_and_their_failures_are_audited(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = fiware("yokohama") | JSON
    assert (await client.post("/v2/entities", json=room(), headers=headers)).status_code == 201
    assert (await client.post("/v2/entities", json=room(), headers=headers)).status_code == 422
    await sealed(app)
    rows = await audit_rows(
        app,
        "SELECT method, route, status, kind, entity_count FROM audit_records "
        "WHERE tenant_id = 'yokohama' ORDER BY seq",
    )
    assert [(r["method"], r["route"], r["status"], r["kind"]) for r in rows] == [
        ("POST", "/v2/entities", 201, "write"),
        ("POST", "/v2/entities", 422, "write"),
    ]
    assert rows[0]["entity_count"] == 1
