"""Bulk import and export of the inventory: CSV in UTF-8 or Shift_JIS, JSON; a file with a bad
row is refused whole, each bad row named, nothing stored."""

import csv
import io

import httpx
from fastapi import FastAPI

from auth import scopes
from tests.catalog.vision.helpers import BASES, answer, create, member_of

IMPORT = "/vision/import"
EXPORT = "/vision/export"
HEADER = (
    "municipality,code,surveyYear,name,vendor,operator,domains,services,annualCostYen,"
    "serviceProvisionScheme,baseProvisionScheme,userScope,personalAuthServices,"
    "nonPersonalBases,personalBases,brokerDataManagement,responsibilities,authFederation\r\n"
)
ROW = (
    "{municipality},{code},2026,{name},みなとシステムズ,市役所,観光;防災,観光アプリ,{cost},"
    "municipalityOnly,municipalityOnly,withinMunicipality,0,1,0,external,"
    "ブローカー:base;アプリ:service,true\r\n"
)


def _csv(*rows: dict[str, object]) -> str:
    return HEADER + "".join(ROW.format(**row) for row in rows)


def _row(**fields: object) -> dict[str, object]:
    return {"municipality": "yokohama", "code": "kanko", "name": "観光基盤", "cost": 1000, **fields}


async def test_a_shift_jis_csv_is_imported(client: httpx.AsyncClient) -> None:
    body = _csv(_row(), _row(municipality="kawasaki", name="川崎の基盤")).encode("cp932")
    response = await client.post(IMPORT, content=body, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 2, "replaced": 0}
    entry = (await client.get(f"{BASES}/urn:ngsi-ld:DataLinkageBase:kawasaki:kanko:2026")).json()
    assert entry["name"] == "川崎の基盤"
    assert entry["domains"] == ["観光", "防災"]
    assert entry["responsibilities"] == [
        {"module": "ブローカー", "side": "base"},
        {"module": "アプリ", "side": "service"},
    ]
    assert entry["authFederation"] is True
    assert entry["currentType"] == "1.4"


async def test_a_utf8_csv_with_bom_replaces_existing_entries(client: httpx.AsyncClient) -> None:
    await create(client, code="kanko")
    body = ("\ufeff" + _csv(_row(name="新しい名前"))).encode("utf-8")
    response = await client.post(IMPORT, content=body, headers={"Content-Type": "text/csv"})
    assert response.json() == {"created": 0, "replaced": 1}
    listed = (await client.get(BASES)).json()
    assert [e["name"] for e in listed] == ["新しい名前"]


async def test_bad_rows_are_named_and_nothing_is_stored(client: httpx.AsyncClient) -> None:
    body = _csv(
        _row(),
        _row(code="bad", cost="たくさん"),
        _row(municipality="nowhere", code="x"),
        _row(),  # the first row again
    ).encode("utf-8")
    response = await client.post(IMPORT, content=body, headers={"Content-Type": "text/csv"})
    assert response.status_code == 400, response.text
    errors = response.json()["rowErrors"]
    assert [e["row"] for e in errors] == [3, 4, 5]
    assert "annualCostYen" in errors[0]["error"]
    assert "not a registered municipality" in errors[1]["error"]
    assert "earlier row" in errors[2]["error"]
    assert (await client.get(BASES)).json() == []


async def test_json_round_trips_with_the_data_map(client: httpx.AsyncClient) -> None:
    await create(client)
    await create(client, municipality="kawasaki", dataMap=[])
    exported = (await client.get(EXPORT)).json()
    assert [e["municipality"] for e in exported] == ["kawasaki", "yokohama"]
    changed = [{**e, "annualCostYen": 5} for e in exported]
    response = await client.post(IMPORT, json=changed)
    assert response.json() == {"created": 0, "replaced": 2}
    again = (await client.get(EXPORT)).json()
    assert again == [{**e, "annualCostYen": 5, "costPerServiceYen": 2} for e in exported]
    bad = await client.post(IMPORT, json=[answer(), {"municipality": "yokohama"}])
    assert bad.status_code == 400
    assert [e["row"] for e in bad.json()["rowErrors"]] == [2]


async def test_the_csv_export_is_in_the_encoding_asked(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.get(EXPORT, params={"format": "csv", "encoding": "shift_jis"})
    assert response.headers["content-type"] == "text/csv; charset=shift_jis"
    (row,) = csv.DictReader(io.StringIO(response.content.decode("cp932")))
    assert (row["name"], row["domains"], row["targetType"]) == ("横浜市都市OS", "観光;防災", "2.4")
    assert row["responsibilities"] == "ブローカー:base"


async def test_import_and_export_need_a_token_their_scope_and_the_municipality(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    body = _csv(_row()).encode("utf-8")
    csv_type = {"Content-Type": "text/csv"}
    assert (await anonymous.post(IMPORT, content=body, headers=csv_type)).status_code == 401
    assert (await anonymous.get(EXPORT)).status_code == 401
    reader = await member_of(client, app, "yokohama", scope=[scopes.VISION_READ])
    denied = await client.post(IMPORT, content=body, headers={**csv_type, **reader})
    assert denied.status_code == 403
    none = await member_of(client, app, "yokohama", scope=[scopes.READ])
    assert (await client.get(EXPORT, headers=none)).status_code == 403
    kawasaki = await member_of(client, app, "kawasaki")
    other = await client.post(IMPORT, content=body, headers={**csv_type, **kawasaki})
    assert other.status_code == 403, other.text
    assert (await client.get(BASES)).json() == []
