"""The auditor's pages: audit search and CSV download, the verify button, usage per month."""

import csv
import io
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from auth.users.roles import AUDITOR, MUNICIPAL_ADMIN
from console.audit import by_month
from tests.auth.helpers import audit_rows, sealed
from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, create, headers
from tests.console.helpers import csrf_of, signed_in


async def _recorded(app: FastAPI, client: httpx.AsyncClient) -> None:
    await create(client, tenant="yokohama")
    await client.get(f"{ENTITIES}/{SENSOR_ID}", headers=headers("yokohama"))
    await sealed(app)


async def test_the_auditor_pages_need_a_session(app: FastAPI, browser: httpx.AsyncClient) -> None:
    for path in ("/console/audit", "/console/audit.csv", "/console/usage"):
        assert (await browser.get(path)).status_code == 303
    assert (await browser.post("/console/audit/verify")).status_code == 303


async def test_a_municipal_admin_cannot_open_the_auditor_pages(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "sato", MUNICIPAL_ADMIN, "yokohama")
    for path in ("/console/audit", "/console/audit.csv", "/console/usage"):
        assert (await browser.get(path)).status_code == 403, path
    home = await browser.get("/console")
    verify = await browser.post("/console/audit/verify", data={"csrf_token": csrf_of(home)})
    assert verify.status_code == 403


async def test_an_auditor_searches_the_log_and_downloads_it_as_csv(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await _recorded(app, client)
    await signed_in(app, browser, "yamada", AUDITOR)
    page = await browser.get("/console/audit", params={"tenant": "yokohama", "kind": "write"})
    assert page.status_code == 200
    rows = page.text.split('<table id="records">')[1]
    assert rows.count("<tr><td>") == 1 and "/ngsi-ld/v1/entities" in rows
    download = await browser.get("/console/audit.csv", params={"tenant": "yokohama"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["status"] for r in table] == ["201", "200"]
    assert table[0]["entityIds"] == SENSOR_ID


async def test_the_verify_button_shows_an_intact_then_a_broken_chain(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await _recorded(app, client)
    await signed_in(app, browser, "yamada", AUDITOR)
    page = await browser.get("/console/audit")
    refused = await browser.post("/console/audit/verify", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    intact = await browser.post("/console/audit/verify", data={"csrf_token": csrf_of(page)})
    assert intact.status_code == 200
    assert "すべてのチェーンは改ざんされていません" in intact.text
    async with app.state.db.transaction() as session:
        await session.execute(
            text("UPDATE audit_records SET status = 500 WHERE tenant_id = 'yokohama' AND seq = 1")
        )
    broken = await browser.post("/console/audit/verify", data={"csrf_token": csrf_of(page)})
    assert "改ざんまたは欠落が見つかりました" in broken.text


async def test_usage_is_shown_per_tenant_and_month(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await _recorded(app, client)
    await app.state.audit.snapshot_usage()
    await signed_in(app, browser, "yamada", AUDITOR)
    page = await browser.get("/console/usage", params={"tenant": "yokohama"})
    assert page.status_code == 200
    month = app.state.usage.day(datetime.now(UTC)).isoformat()[:7]
    assert f"<td>yokohama</td><td>{month}</td>" in page.text


def test_daily_usage_rows_are_summed_per_tenant_and_month() -> None:
    rows = [
        {"tenant": "a", "client": "x", "day": "2026-11-30", "reads": 1, "writes": 2},
        {"tenant": "a", "client": "y", "day": "2026-11-02", "reads": 3, "writes": 0},
        {"tenant": "a", "client": "x", "day": "2026-12-01", "reads": 5, "writes": 1},
        {"tenant": "b", "client": "x", "day": "2026-11-15", "reads": 7, "writes": 0},
    ]
    assert by_month(rows) == [
        {"tenant": "a", "month": "2026-11", "reads": 4, "writes": 2},
        {"tenant": "a", "month": "2026-12", "reads": 5, "writes": 1},
        {"tenant": "b", "month": "2026-11", "reads": 7, "writes": 0},
    ]


async def test_the_time_range_of_the_search_form_is_read_as_utc(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await _recorded(app, client)
    await signed_in(app, browser, "yamada", AUDITOR)
    wanted = {"tenant": "yokohama"}
    later = await browser.get("/console/audit", params={**wanted, "from": "2100-01-01T00:00"})
    earlier = await browser.get("/console/audit", params={**wanted, "to": "2000-01-01T00:00"})
    since = await browser.get("/console/audit", params={**wanted, "from": "2000-01-01T00:00"})
    for page in (later, earlier, since):
        assert page.status_code == 200, page.text
    assert later.text.split('<table id="records">')[1].count("<tr><td>") == 0
    assert earlier.text.split('<table id="records">')[1].count("<tr><td>") == 0
    assert since.text.split('<table id="records">')[1].count("<tr><td>") == 2


async def test_the_console_stylesheet_is_not_audited_but_its_pages_are(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    await signed_in(app, browser, "yamada", AUDITOR)
    assert (await browser.get("/console/static/console.css")).status_code == 200
    assert (await browser.get("/console/usage")).status_code == 200
    await sealed(app)
    paths = [str(row["path"]) for row in await audit_rows(app, "SELECT path FROM audit_records")]
    assert "/console/usage" in paths
    assert not [p for p in paths if p.startswith("/console/static")]
