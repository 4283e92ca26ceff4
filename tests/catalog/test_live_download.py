"""Live distributions (issue 16, API連携): a live resource's download streams the current
entities of its saved broker query, as CSV (UTF-8, UTF-8 with BOM, Shift_JIS), GeoJSON and
JSON, with ETag / Last-Modified and 304s; only the query's tenant's data, which must be the
dataset's own organization; open to anyone for a public dataset."""

import csv
import io
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.broker.entities.helpers import create as create_entity
from tests.broker.entities.helpers import people_flow
from tests.catalog.helpers import ckan, create, publisher

ENTITY = "urn:ngsi-ld:CrowdFlowObserved:yokohama-west"


def sensor(entity_id: str = ENTITY, count: int = 120, **extra: Any) -> dict[str, Any]:
    return people_flow(
        entity_id,
        peopleCount={"type": "Property", "value": count},
        name={"type": "Property", "value": "横浜駅西口"},
        address={
            "type": "Property",
            "value": {"addressLocality": "横浜市", "streetAddress": "西区南幸"},
        },
        **extra,
    )


async def live_dataset(
    client: httpx.AsyncClient, query: dict[str, Any] | None = None, **overrides: Any
) -> tuple[str, str]:
    created = await create(
        client,
        resources=[{"name": "人流 (ライブ)", "query": query or {"type": "CrowdFlowObserved"}}],
        **overrides,
    )
    return created["id"], created["resources"][0]["id"]


def url(ids: tuple[str, str]) -> str:
    return f"/dataset/{ids[0]}/resource/{ids[1]}/download"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_csv_has_one_column_per_attribute_with_nested_values_flattened(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    ids = await live_dataset(client)
    response = await anonymous.get(url(ids))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    header = response.text.splitlines()[0].split(",")
    assert header[:2] == ["id", "type"]
    (row,) = rows(response.text)
    assert row["id"] == ENTITY and row["type"] == "CrowdFlowObserved"
    assert row["peopleCount"] == "120" and row["congested"] == "false"
    assert row["name"] == "横浜駅西口"
    assert row["address.addressLocality"] == "横浜市"
    assert row["address.streetAddress"] == "西区南幸"
    assert row["refRoadSegment"] == "urn:ngsi-ld:RoadSegment:1"
    assert '"Point"' in row["location"]


@pytest.mark.parametrize(
    ("encoding", "codec", "bom"),
    [("utf-8", "utf-8", False), ("utf-8-bom", "utf-8", True), ("shift_jis", "shift_jis", False)],
)
async def test_csv_encodings_for_excel(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, encoding: str, codec: str, bom: bool
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    ids = await live_dataset(client)
    response = await anonymous.get(url(ids), params={"encoding": encoding})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf") is bom
    text = response.content.removeprefix(b"\xef\xbb\xbf").decode(codec)
    assert rows(text)[0]["name"] == "横浜駅西口"


async def test_json_and_geojson_downloads(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    await create_entity(client, sensor(ENTITY + "-2", 30), tenant="yokohama")
    ids = await live_dataset(client)
    listed = await anonymous.get(url(ids), params={"format": "json"})
    assert listed.headers["content-type"] == "application/json"
    assert [e["peopleCount"] for e in listed.json()] == [120, 30]
    geo = await anonymous.get(url(ids), params={"format": "geojson"})
    assert geo.headers["content-type"] == "application/geo+json"
    collection = geo.json()
    assert collection["type"] == "FeatureCollection"
    first = collection["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [139.6222, 35.4658]}
    assert first["properties"]["name"] == "横浜駅西口" and first["id"] == ENTITY


async def test_download_pages_through_every_entity_of_the_query(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    entities = [sensor(f"{ENTITY}-{n:04d}", n) for n in range(1200)]
    for start in range(0, len(entities), 500):
        response = await client.post(
            "/ngsi-ld/v1/entityOperations/create",
            json=entities[start : start + 500],
            headers={"NGSILD-Tenant": "yokohama"},
        )
        assert response.status_code == 201, response.text
    ids = await live_dataset(client, {"type": "CrowdFlowObserved", "q": "peopleCount>=100"})
    found = rows((await anonymous.get(url(ids))).text)
    assert len(found) == 1100
    assert len({row["id"] for row in found}) == 1100
    assert len((await anonymous.get(url(ids), params={"format": "json"})).json()) == 1100


async def test_query_attrs_select_the_columns(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    ids = await live_dataset(client, {"type": "CrowdFlowObserved", "attrs": ["peopleCount"]})
    response = await anonymous.get(url(ids))
    assert response.text.splitlines()[0] == "id,type,peopleCount"


async def test_etag_and_last_modified_give_304_until_an_entity_changes(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    ids = await live_dataset(client)
    first = await anonymous.get(url(ids))
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    same = await anonymous.get(url(ids), headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    since = await anonymous.get(url(ids), headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other_format = await anonymous.get(url(ids), params={"format": "json"})
    assert other_format.headers["etag"] != etag
    response = await client.patch(
        f"/ngsi-ld/v1/entities/{ENTITY}/attrs",
        json={"peopleCount": {"type": "Property", "value": 7}},
        headers={"NGSILD-Tenant": "yokohama"},
    )
    assert response.status_code == 204, response.text
    changed = await anonymous.get(url(ids), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and rows(changed.text)[0]["peopleCount"] == "7"
    assert changed.headers["etag"] != etag


async def test_only_the_datasets_own_tenant_is_read(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    await create_entity(client, sensor("urn:ngsi-ld:CrowdFlowObserved:kawasaki"), tenant="kawasaki")
    ids = await live_dataset(client)
    assert [row["id"] for row in rows((await anonymous.get(url(ids))).text)] == [ENTITY]
    foreign = await live_dataset(
        client, {"type": "CrowdFlowObserved", "tenant": "kawasaki"}, name="foreign"
    )
    assert (await anonymous.get(url(foreign))).status_code == 404


async def test_private_datasets_live_data_is_for_its_tenant_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create_entity(client, sensor(), tenant="yokohama")
    ids = await live_dataset(client, private=True)
    kawasaki = await publisher(anonymous, app, "kawasaki")
    yokohama = await publisher(anonymous, app, "yokohama")
    assert (await anonymous.get(url(ids))).status_code == 404
    assert (await anonymous.get(url(ids), headers=kawasaki)).status_code == 404
    no_catalog_scope = await publisher(anonymous, app, "yokohama", scope=["ngsi-ld:read"])
    assert (await anonymous.get(url(ids), headers=no_catalog_scope)).status_code == 404
    own = await anonymous.get(url(ids), headers=yokohama)
    assert own.status_code == 200 and rows(own.text)[0]["id"] == ENTITY


async def test_invalid_token_unknown_and_non_live_resources(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    ids = await live_dataset(client)
    bad = await anonymous.get(url(ids), headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert (await anonymous.get(url((ids[0], "nothing")))).status_code == 404
    assert (await anonymous.get(url(("other-dataset", ids[1])))).status_code == 404
    body = await ckan(client, "package_show", id=ids[0])
    linked = await ckan(
        client, "resource_create", package_id=ids[0], url="https://example.jp/x.csv"
    )
    assert body["success"]
    assert (await anonymous.get(url((ids[0], linked["result"]["id"])))).status_code == 404
