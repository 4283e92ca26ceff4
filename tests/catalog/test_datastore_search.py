"""datastore_search over a live resource (issue 16): CKAN's DataStore shape (fields, records,
total, _links) paging through the broker, called with the real ckanapi client."""

import asyncio
from collections.abc import AsyncIterator

import ckanapi
import httpx
import pytest
from fastapi import FastAPI

from tests.broker.entities.helpers import create as create_entity
from tests.catalog.helpers import ckan, publisher
from tests.catalog.test_ckanapi_client import Site, call
from tests.catalog.test_live_download import ENTITY, live_dataset, sensor


@pytest.fixture
async def site(app: FastAPI, anonymous: httpx.AsyncClient) -> AsyncIterator[Site]:
    yield Site(app, asyncio.get_running_loop())


async def test_ckanapi_pages_through_a_live_resource(site: Site, client: httpx.AsyncClient) -> None:
    for number in range(5):
        await create_entity(client, sensor(f"{ENTITY}-{number}", number), tenant="yokohama")
    await create_entity(client, sensor("urn:ngsi-ld:CrowdFlowObserved:k"), tenant="kawasaki")
    _, resource_id = await live_dataset(client)
    public = site.remote()
    first = await call(lambda: public.action.datastore_search(resource_id=resource_id, limit=2))
    assert first["total"] == 5 and first["limit"] == 2 and first["offset"] == 0
    assert first["records"][0]["_id"] == 1
    assert first["records"][0]["id"] == f"{ENTITY}-0"
    assert first["records"][0]["address.addressLocality"] == "横浜市"
    fields = {field["id"]: field["type"] for field in first["fields"]}
    assert fields["_id"] == "int" and fields["peopleCount"] == "int"
    assert fields["congested"] == "bool" and fields["name"] == "text"
    assert (
        first["_links"]["start"]
        == f"/api/3/action/datastore_search?resource_id={resource_id}&limit=2"
    )
    assert "offset=2" in first["_links"]["next"]
    seen = []
    for offset in (0, 2, 4, 6):
        page = await call(
            lambda offset=offset: public.action.datastore_search(  # type: ignore[misc]
                resource_id=resource_id, limit=2, offset=offset
            )
        )
        seen += [record["id"] for record in page["records"]]
    assert seen == [f"{ENTITY}-{n}" for n in range(5)]


async def test_records_as_lists_and_csv_with_chosen_fields(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    _, resource_id = await live_dataset(client)
    lists = await ckan(
        anonymous,
        "datastore_search",
        resource_id=resource_id,
        fields=["id", "peopleCount"],
        records_format="lists",
        include_total=False,
    )
    assert lists["result"]["records"] == [[1, ENTITY, 120]]
    assert "total" not in lists["result"]
    as_csv = await ckan(
        anonymous,
        "datastore_search",
        resource_id=resource_id,
        fields="id,name",
        records_format="csv",
    )
    assert as_csv["result"]["records"] == f"1,{ENTITY},横浜駅西口\r\n"


async def test_not_live_private_and_unsupported_are_ckan_errors(
    app: FastAPI, site: Site, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    dataset_id, resource_id = await live_dataset(client, private=True)
    public = site.remote()
    with pytest.raises(ckanapi.NotFound):
        await call(lambda: public.action.datastore_search(resource_id=resource_id))
    kawasaki = await publisher(anonymous, app, "kawasaki")
    body = await ckan(
        anonymous, "datastore_search", status=404, headers=kawasaki, resource_id=resource_id
    )
    assert body["error"]["__type"] == "Not Found Error"
    yokohama = await publisher(anonymous, app, "yokohama")
    own = await ckan(anonymous, "datastore_search", headers=yokohama, resource_id=resource_id)
    assert own["result"]["total"] == 0
    refused = await ckan(
        anonymous,
        "datastore_search",
        status=409,
        headers=yokohama,
        resource_id=resource_id,
        q="横浜",
    )
    assert refused["error"]["__type"] == "Validation Error"
    invalid = await ckan(
        anonymous,
        "datastore_search",
        status=403,
        headers={"Authorization": "not-a-token"},
        resource_id=resource_id,
    )
    assert invalid["error"]["__type"] == "Authorization Error"
    linked = await ckan(client, "resource_create", package_id=dataset_id, url="https://x.jp/a.csv")
    await ckan(client, "datastore_search", status=404, resource_id=linked["result"]["id"])
