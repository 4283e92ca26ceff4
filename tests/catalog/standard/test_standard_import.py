"""POST /catalog/standard/{set}/import (issue 16): a municipality's standard CSV, in either
header layout and any of its encodings, becomes entities of its tenant; a malformed file is a
400 with row errors and stores nothing; the import needs catalog:write in that tenant."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from auth import scopes
from tests.catalog.helpers import publisher

FILES = Path(__file__).parent
CSV = {"Content-Type": "text/csv"}


def _file(name: str) -> bytes:
    return (FILES / name).read_bytes()


async def _import(
    http: httpx.AsyncClient, headers: dict[str, str], name: str, tenant: str = "yokohama"
) -> httpx.Response:
    return await http.post(
        "/catalog/standard/01/import",
        content=_file(name),
        headers={**headers, **CSV, "NGSILD-Tenant": tenant},
    )


async def _facilities(client: httpx.AsyncClient, tenant: str = "yokohama") -> list[Any]:
    response = await client.get(
        "/ngsi-ld/v1/entities",
        params={"type": "PublicFacility", "options": "keyValues"},
        headers={"NGSILD-Tenant": tenant},
    )
    assert response.status_code == 200, response.text
    entities: list[Any] = response.json()
    return sorted(entities, key=lambda e: e["id"])


@pytest.mark.parametrize(
    ("name", "layout", "encoding"),
    [
        ("public_facilities_newer_utf8.csv", "newer", "utf-8"),
        ("public_facilities_newer_bom.csv", "newer", "utf-8-sig"),
        ("public_facilities_older_sjis.csv", "older", "cp932"),
        ("public_facilities_older_utf8.csv", "older", "utf-8"),
    ],
)
async def test_a_standard_csv_becomes_entities_of_the_tenant(
    app: FastAPI, client: httpx.AsyncClient, name: str, layout: str, encoding: str
) -> None:
    headers = await publisher(client, app, "yokohama")
    response = await _import(client, headers, name)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["set"], body["layout"], body["encoding"], body["imported"]) == (
        "01",
        layout,
        encoding,
        2,
    )
    first, second = await _facilities(client)
    assert first["id"] == "urn:ngsi-ld:PublicFacility:352012:1"
    assert first["name"] == "下関市役所"
    assert first["telephone"] == "083-231-1111"
    assert first["location"] == {"type": "Point", "coordinates": [130.9411, 33.9575]}
    assert second["name"] == "下関市立中央図書館"
    assert "telephone" not in second  # an empty cell is no attribute
    assert await _facilities(client, "kawasaki") == []


async def test_importing_again_replaces_the_rows(app: FastAPI, client: httpx.AsyncClient) -> None:
    headers = await publisher(client, app, "yokohama")
    assert (await _import(client, headers, "public_facilities_newer_utf8.csv")).status_code == 200
    assert (await _import(client, headers, "public_facilities_older_sjis.csv")).status_code == 200
    assert [e["name"] for e in await _facilities(client)] == ["下関市役所", "下関市立中央図書館"]


async def test_a_malformed_file_is_a_400_with_row_errors_and_nothing_stored(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await publisher(client, app, "yokohama")
    response = await _import(client, headers, "public_facilities_bad_rows.csv")
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    assert [(e["row"], e["column"]) for e in problem["errors"]] == [(4, "緯度"), (5, "名称_カナ")]
    assert await _facilities(client) == []  # the two good rows were not stored either


@pytest.mark.parametrize(
    ("content", "column"),
    [
        ("名称,住所\r\nA,B\r\n".encode(), "名称"),  # neither layout's header
        (
            "全国地方公共団体コード,ID,名称\r\n352012,1,A\r\n".encode(),
            "名称_カナ",
        ),  # required missing
        (b"\x80\xff\xfe,\x81\r\n", None),  # neither UTF-8 nor Shift_JIS
    ],
    ids=["wrong header", "missing required column", "broken encoding"],
)
async def test_files_that_cannot_be_read_are_rejected_on_their_first_row(
    app: FastAPI, client: httpx.AsyncClient, content: bytes, column: str | None
) -> None:
    headers = await publisher(client, app, "yokohama")
    response = await client.post(
        "/catalog/standard/01/import",
        content=content,
        headers={**headers, **CSV, "NGSILD-Tenant": "yokohama"},
    )
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert errors[0]["row"] == 1 and errors[0]["column"] == column
    assert await _facilities(client) == []


async def test_an_unknown_set_is_not_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    headers = await publisher(client, app, "yokohama")
    response = await client.post(
        "/catalog/standard/99/import",
        content=_file("public_facilities_newer_utf8.csv"),
        headers={**headers, **CSV, "NGSILD-Tenant": "yokohama"},
    )
    assert response.status_code == 404


async def test_anonymous_import_is_refused(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    response = await _import(anonymous, {}, "public_facilities_newer_utf8.csv")
    assert response.status_code == 401
    assert await _facilities(client) == []


async def test_import_without_catalog_write_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await publisher(client, app, "yokohama", scope=[scopes.CATALOG_READ])
    response = await _import(client, headers, "public_facilities_newer_utf8.csv")
    assert response.status_code == 403
    assert await _facilities(client) == []


async def test_import_into_another_tenant_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await publisher(client, app, "kawasaki")
    response = await _import(client, headers, "public_facilities_newer_utf8.csv", "yokohama")
    assert response.status_code == 403
    assert await _facilities(client) == []


async def test_the_templates_are_listed_with_their_columns(anonymous: httpx.AsyncClient) -> None:
    listed = (await anonymous.get("/catalog/standard")).json()
    assert len(listed) >= 14
    shown = (await anonymous.get("/catalog/standard/公共施設一覧")).json()
    assert shown["id"] == "01" and shown["entity_type"] == "PublicFacility"
    assert {"name": "名称", "key": "name", "required": True, "type": "text"} in shown["columns"]
