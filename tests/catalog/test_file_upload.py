"""File resources (issue 16): uploaded with resource_create's `upload` (multipart, as ckanapi
sends a file), type-checked by content, size-limited, stored with byte size and SHA-256, and
served back with the right Content-Type to whoever may see the dataset."""

import asyncio
import hashlib
import io
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.catalog.helpers import ckan, create, publisher
from tests.catalog.test_ckanapi_client import Site, call

CSV = "名称,緯度,経度\r\n横浜市役所,35.4437,139.6380\r\n".encode()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", CSV)
    return buffer.getvalue()


FILES = {
    "CSV": ("shisetsu.csv", CSV, "text/csv"),
    "XLSX": (
        "shisetsu.xlsx",
        xlsx(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "PDF": ("gaiyo.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"),
    "JSON": ("data.json", '{"名称": "横浜市役所"}'.encode(), "application/json"),
    "ZIP": ("all.zip", plain_zip(), "application/zip"),
}


@pytest.fixture
async def site(app: FastAPI, anonymous: httpx.AsyncClient) -> AsyncIterator[Site]:
    yield Site(app, asyncio.get_running_loop())


async def upload(
    http: httpx.AsyncClient,
    package_id: str,
    filename: str,
    content: bytes,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> httpx.Response:
    response = await http.post(
        "/api/3/action/resource_create",
        data={"package_id": package_id, "name": filename, **fields},
        files={"upload": (filename, content)},
        headers=headers,
    )
    assert response.status_code == status, response.text
    return response


async def test_ckanapi_uploads_a_csv_which_is_served_back(
    site: Site, anonymous: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    dataset = await create(client, resources=[])
    key = await site.apikey(anonymous, "yokohama")
    remote = site.remote(key)
    created = await call(
        lambda: remote.action.resource_create(
            package_id=dataset["id"], name="施設一覧", upload=io.BytesIO(CSV)
        )
    )
    assert created["url_type"] == "upload" and created["format"] == "CSV"
    assert created["size"] == len(CSV)
    assert created["hash"] == hashlib.sha256(CSV).hexdigest()
    assert created["mimetype"] == "text/csv"
    served = await anonymous.get(created["url"])
    assert served.status_code == 200 and served.content == CSV
    assert served.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize("kind", list(FILES))
async def test_common_formats_are_recognised_by_content(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, kind: str
) -> None:
    dataset = await create(client, resources=[])
    filename, content, media_type = FILES[kind]
    created = (await upload(client, dataset["id"], filename, content)).json()["result"]
    assert created["format"] == kind and created["size"] == len(content)
    served = await anonymous.get(created["url"])
    assert served.content == content
    assert served.headers["content-type"].split(";")[0] == media_type
    shown = await ckan(anonymous, "package_show", id=dataset["id"])
    assert shown["result"]["resources"][0]["hash"] == hashlib.sha256(content).hexdigest()


async def test_content_that_is_not_a_common_format_or_not_the_declared_one_is_refused(
    client: httpx.AsyncClient,
) -> None:
    dataset = await create(client, resources=[])
    page = b"<html><script>alert(1)</script></html>"
    refused = await upload(client, dataset["id"], "data.csv", page, status=409)
    assert refused.json()["error"]["__type"] == "Validation Error"
    assert "upload" in refused.json()["error"]
    mismatch = await upload(client, dataset["id"], "data.csv", CSV, status=409, format="PDF")
    assert "format" in mismatch.json()["error"]
    binary = await upload(client, dataset["id"], "x.bin", b"\x7fELF\x00\x00\x01", status=409)
    assert binary.json()["success"] is False
    shown = await ckan(client, "package_show", id=dataset["id"])
    assert shown["result"]["resources"] == []


async def test_a_file_past_the_size_limit_is_413(app: FastAPI, client: httpx.AsyncClient) -> None:
    dataset = await create(client, resources=[])
    app.state.catalog_settings.upload_max_bytes = 64
    try:
        big = CSV * 10
        await upload(client, dataset["id"], "big.csv", big, status=413)
    finally:
        app.state.catalog_settings.upload_max_bytes = 20 * 1024 * 1024
    shown = await ckan(client, "package_show", id=dataset["id"])
    assert shown["result"]["resources"] == []


async def test_resource_update_replaces_the_file(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    dataset = await create(client, resources=[])
    created = (await upload(client, dataset["id"], "a.csv", CSV)).json()["result"]
    newer = CSV + "川崎市役所,35.5308,139.7029\r\n".encode()
    response = await client.post(
        "/api/3/action/resource_update",
        data={"id": created["id"], "name": "a.csv"},
        files={"upload": ("a.csv", newer)},
    )
    assert response.status_code == 200, response.text
    updated = response.json()["result"]
    assert updated["size"] == len(newer)
    assert (await anonymous.get(updated["url"])).content == newer


async def test_uploads_need_write_access_and_private_files_stay_private(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    dataset = await create(client, resources=[], private=True)
    await upload(anonymous, dataset["id"], "a.csv", CSV, status=403)
    kawasaki = await publisher(anonymous, app, "kawasaki")
    await upload(anonymous, dataset["id"], "a.csv", CSV, status=404, headers=kawasaki)
    yokohama = await publisher(anonymous, app, "yokohama")
    created = (await upload(anonymous, dataset["id"], "a.csv", CSV, headers=yokohama)).json()
    url = created["result"]["url"]
    assert (await anonymous.get(url)).status_code == 404
    assert (await anonymous.get(url, headers=kawasaki)).status_code == 404
    assert (await anonymous.get(url, headers=yokohama)).content == CSV
    bad = await anonymous.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
