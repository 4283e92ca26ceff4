"""The real `ckanapi` client library against the app (issue 16): its own calls, headers, JSON
bodies and error decoding, not hand-made requests. ckanapi is synchronous, so it runs in a
thread; its requests session is mounted on the ASGI app, which serves it on the test's loop."""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import ckanapi
import httpx
import pytest
import requests
from fastapi import FastAPI
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tests.catalog.helpers import add_group, dataset, publisher

T = TypeVar("T")
SITE = "http://catalog.test"


class AsgiAdapter(BaseAdapter):
    """requests' transport to an ASGI app running on an event loop of another thread."""

    def __init__(self, app: FastAPI, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.app = app
        self.loop = loop

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        future = asyncio.run_coroutine_threadsafe(self._send(request), self.loop)
        return future.result(timeout=60)

    async def _send(self, prepared: requests.PreparedRequest) -> requests.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport) as http:
            answer = await http.request(
                prepared.method or "GET",
                prepared.url or "",
                content=prepared.body,  # type: ignore[arg-type]
                headers=dict(prepared.headers),
            )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.encoding = "utf-8"
        response.url = prepared.url or ""
        response.request = prepared
        return response

    def close(self) -> None:
        pass


class Site:
    """RemoteCKAN clients of the app: anonymous, or with a client's token as its API key."""

    def __init__(self, app: FastAPI, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop

    def remote(self, apikey: str | None = None, *, get_only: bool = False) -> ckanapi.RemoteCKAN:
        session = requests.Session()
        session.mount(SITE, AsgiAdapter(self.app, self.loop))
        return ckanapi.RemoteCKAN(SITE, apikey=apikey, get_only=get_only, session=session)

    async def apikey(self, http: httpx.AsyncClient, tenant: str) -> str:
        header = await publisher(http, self.app, tenant)
        return header["Authorization"].removeprefix("Bearer ")


async def call(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


@pytest.fixture
async def site(app: FastAPI, anonymous: httpx.AsyncClient) -> AsyncIterator[Site]:
    yield Site(app, asyncio.get_running_loop())


async def test_ckanapi_publishes_reads_and_searches(
    site: Site, anonymous: httpx.AsyncClient
) -> None:
    key = await site.apikey(anonymous, "yokohama")
    publisher_ckan = site.remote(key)
    created = await call(lambda: publisher_ckan.action.package_create(**dataset()))
    assert created["name"] == "jinryu-2026" and created["organization"]["name"] == "yokohama"

    public = site.remote()
    shown = await call(lambda: public.action.package_show(id="jinryu-2026"))
    assert shown["id"] == created["id"]
    found = await call(
        lambda: public.action.package_search(
            q="人流", fq="organization:yokohama", rows=10, **{"facet.field": ["tags"]}
        )
    )
    assert found["count"] == 1 and found["results"][0]["name"] == "jinryu-2026"
    assert found["search_facets"]["tags"]["items"][0]["count"] == 1
    getter = site.remote(get_only=True)
    by_get = await call(lambda: getter.action.package_search(q="観光"))
    assert by_get["count"] == 1
    assert await call(lambda: getter.action.package_list()) == ["jinryu-2026"]
    assert "yokohama" in await call(lambda: public.action.organization_list())
    licenses = await call(lambda: public.action.license_list())
    assert "cc-by-4.0" in {item["id"] for item in licenses}


async def test_ckanapi_changes_datasets_and_resources(
    app: FastAPI, site: Site, anonymous: httpx.AsyncClient
) -> None:
    await add_group(app, "bosai", "防災")
    ckan = site.remote(await site.apikey(anonymous, "yokohama"))
    created = await call(lambda: ckan.action.package_create(**dataset()))
    resource = await call(
        lambda: ckan.action.resource_create(
            package_id=created["id"], name="避難所", url="https://example.jp/h.csv", format="CSV"
        )
    )
    shown = await call(lambda: ckan.action.package_show(id=created["id"]))
    shown["title"] = "改訂版"
    updated = await call(lambda: ckan.action.package_update(**shown))
    assert updated["title"] == "改訂版" and len(updated["resources"]) == 2
    patched = await call(
        lambda: ckan.action.package_patch(id=created["id"], groups=[{"name": "bosai"}])
    )
    assert [group["name"] for group in patched["groups"]] == ["bosai"]
    await call(lambda: ckan.action.resource_update(id=resource["id"], name="避難所一覧", url="u"))
    assert (await call(lambda: ckan.action.resource_show(id=resource["id"])))[
        "name"
    ] == "避難所一覧"
    await call(lambda: ckan.action.resource_delete(id=resource["id"]))
    await call(lambda: ckan.action.package_delete(id=created["id"]))
    with pytest.raises(ckanapi.NotFound):
        await call(lambda: site.remote().action.package_show(id=created["id"]))


async def test_ckanapi_raises_ckan_s_exceptions(site: Site, anonymous: httpx.AsyncClient) -> None:
    public = site.remote()
    with pytest.raises(ckanapi.NotFound):
        await call(lambda: public.action.package_show(id="nothing"))
    with pytest.raises(ckanapi.NotAuthorized):
        await call(lambda: public.action.package_create(**dataset()))
    with pytest.raises(ckanapi.SearchQueryError):
        await call(lambda: public.action.package_search(fq="colour:red"))
    ckan = site.remote(await site.apikey(anonymous, "yokohama"))
    with pytest.raises(ckanapi.ValidationError) as raised:
        await call(lambda: ckan.action.package_create(**dataset(name="Bad Name")))
    assert raised.value.error_dict["__type"] == "Validation Error"
    assert "name" in raised.value.error_dict


async def test_a_harvester_pages_by_id_with_a_modified_since_filter(
    site: Site, anonymous: httpx.AsyncClient
) -> None:
    ckan = site.remote(await site.apikey(anonymous, "kawasaki"))
    first = await call(
        lambda: ckan.action.package_create(**dataset("old-data", owner_org="kawasaki"))
    )
    for index in range(5):
        await call(
            lambda index=index: ckan.action.package_create(
                **dataset(f"data-{index}", owner_org="kawasaki")
            )
        )
    since = first["metadata_modified"]
    public = site.remote()
    harvested: list[str] = []
    start, rows = 0, 2
    while True:
        page = await call(
            lambda start=start: public.action.package_search(
                fq=f"metadata_modified:{{{since}Z TO *]", sort="id asc", rows=rows, start=start
            )
        )
        harvested += [item["name"] for item in page["results"]]
        start += rows
        if start >= page["count"]:
            break
    assert sorted(harvested) == [f"data-{index}" for index in range(5)]
    assert len(harvested) == len(set(harvested))
