"""The CKAN Action API's writes (issue 16): package_create / update / patch / delete and the
resource actions, with validation errors in CKAN's form."""

import httpx
from fastapi import FastAPI

from tests.catalog.helpers import add_group, ckan, create, dataset, result


async def test_package_create_returns_the_dataset_as_package_show_does(
    client: httpx.AsyncClient,
) -> None:
    created = await create(
        client,
        extras=[
            {"key": "frequency", "value": "DAILY"},
            {"key": "source", "value": "sensor"},
        ],
    )
    assert created == await result(client, "package_show", id=created["id"])
    assert created["state"] == "active" and created["private"] is False
    assert created["owner_org"] == "yokohama"
    assert {"key": "frequency", "value": "DAILY"} in created["extras"]
    assert {"key": "source", "value": "sensor"} in created["extras"]


async def test_validation_errors_name_their_fields(client: httpx.AsyncClient) -> None:
    body = await ckan(client, "package_create", status=409, **dataset(name="Not A Slug"))
    assert body["error"]["__type"] == "Validation Error"
    assert list(body["error"]) == ["__type", "name"] and len(body["error"]["name"]) == 1
    body = await ckan(client, "package_create", status=409, title="名前なし")
    assert body["error"] == {"__type": "Validation Error", "name": ["Missing value"]}
    await create(client)
    body = await ckan(client, "package_create", status=409, **dataset())
    assert body["error"] == {"__type": "Validation Error", "name": ["That URL is already in use."]}
    body = await ckan(client, "package_create", status=409, **dataset("x1", license_id="mine"))
    assert body["error"]["license_id"] == ["License not found: mine"]
    body = await ckan(client, "package_create", status=409, **dataset("x2", owner_org="atlantis"))
    assert body["error"]["owner_org"] == ["Organization does not exist"]
    body = await ckan(client, "package_create", status=409, **dataset("x3", owner_org=None))
    assert body["error"]["owner_org"] == ["Missing value"]  # the admin is in every tenant
    body = await ckan(
        client, "package_create", status=409, **dataset("x4", groups=[{"name": "nope"}])
    )
    assert body["error"]["groups"] == ["Group not found: nope"]
    assert await result(client, "package_list") == ["jinryu-2026"]  # nothing else was stored


async def test_package_update_replaces_fields_and_keeps_resources_left_out(
    client: httpx.AsyncClient,
) -> None:
    created = await create(client)
    updated = await result(
        client,
        "package_update",
        id=created["id"],
        name="jinryu-renamed",
        title="新しい題名",
        tags=[{"name": "更新"}],
    )
    assert updated["name"] == "jinryu-renamed" and updated["title"] == "新しい題名"
    assert updated["notes"] == "" and updated["license_id"] is None  # replaced, not merged
    assert [tag["name"] for tag in updated["tags"]] == ["更新"]
    assert updated["resources"] == created["resources"]
    assert updated["metadata_modified"] > created["metadata_modified"]
    assert updated["metadata_created"] == created["metadata_created"]
    found = await result(client, "package_search", q="更新")
    assert [d["name"] for d in found["results"]] == ["jinryu-renamed"]
    assert (await result(client, "package_search", q="駅前"))["count"] == 0  # the old title


async def test_package_update_of_package_show_round_trips(client: httpx.AsyncClient) -> None:
    created = await create(client, extras=[{"key": "spatial_text", "value": "横浜市西区"}])
    shown = await result(client, "package_show", id=created["id"])
    again = await result(client, "package_update", **shown)
    keep = ("metadata_modified", "resources")
    assert {k: v for k, v in again.items() if k not in keep} == {
        k: v for k, v in shown.items() if k not in keep
    }
    assert [r["id"] for r in again["resources"]] == [r["id"] for r in shown["resources"]]
    assert again["resources"][0]["url"] == shown["resources"][0]["url"]
    assert (
        "created" not in again["resources"][0]
        or again["resources"][0]["created"] == (shown["resources"][0]["created"])
    )


async def test_package_update_resources_update_add_and_remove(client: httpx.AsyncClient) -> None:
    created = await create(client)
    first = created["resources"][0]
    updated = await result(
        client,
        "package_update",
        **dataset(
            id=created["id"],
            resources=[
                {"name": "新しい", "url": "https://example.jp/new.json", "format": "JSON"},
                {**first, "name": "改名"},
            ],
        ),
    )
    names = [(r["name"], r["position"]) for r in updated["resources"]]
    assert names == [("新しい", 0), ("改名", 1)]
    assert updated["resources"][1]["id"] == first["id"]
    assert updated["resources"][1]["created"] == first["created"]
    emptied = await result(client, "package_update", **dataset(id=created["id"], resources=[]))
    assert emptied["resources"] == [] and emptied["num_resources"] == 0


async def test_package_patch_changes_only_what_is_given(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_group(app, "bosai", "防災")
    created = await create(client)
    patched = await result(
        client, "package_patch", id="jinryu-2026", notes="改訂", groups=[{"name": "bosai"}]
    )
    assert patched["notes"] == "改訂" and patched["title"] == created["title"]
    assert patched["tags"] == created["tags"] and patched["license_id"] == "cc-by-4.0"
    assert [g["name"] for g in patched["groups"]] == ["bosai"]
    assert patched["resources"] == created["resources"]
    body = await ckan(client, "package_patch", status=409, id="jinryu-2026", name="BAD NAME")
    assert "name" in body["error"]


async def test_package_delete_marks_it_deleted(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = await create(client)
    assert (await ckan(client, "package_delete", id="jinryu-2026"))["result"] is None
    assert (await result(client, "package_show", id=created["id"]))["state"] == "deleted"
    await ckan(anonymous, "package_show", status=404, id=created["id"])
    assert await result(anonymous, "package_list") == []
    body = await ckan(client, "package_create", status=409, **dataset())
    assert body["error"]["name"] == ["That URL is already in use."]
    await ckan(client, "package_delete", status=404, id="never-existed")


async def test_resource_create_update_and_delete(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = await create(client)
    added = await result(
        client,
        "resource_create",
        package_id="jinryu-2026",
        name="避難所 GeoJSON",
        url="https://example.jp/hinan.geojson",
        format="GeoJSON",
    )
    assert added["position"] == 1 and added["package_id"] == created["id"]
    found = await result(anonymous, "package_search", q="避難所")
    assert [d["name"] for d in found["results"]] == ["jinryu-2026"]
    changed = await result(
        client, "resource_update", id=added["id"], name="避難所一覧", url="https://example.jp/h"
    )
    assert changed["name"] == "避難所一覧" and changed["format"] == ""  # replaced
    assert changed["created"] == added["created"] and changed["last_modified"] is not None
    assert (await result(anonymous, "resource_show", id=added["id"]))["name"] == "避難所一覧"
    assert (await ckan(client, "resource_delete", id=created["resources"][0]["id"]))[
        "result"
    ] is None
    shown = await result(anonymous, "package_show", id="jinryu-2026")
    assert [(r["id"], r["position"]) for r in shown["resources"]] == [(added["id"], 0)]
    assert shown["metadata_modified"] > created["metadata_modified"]
    facets = await result(anonymous, "package_search", **{"facet.field": ["res_format"]})
    assert facets["facets"]["res_format"] == {}
    body = await ckan(client, "resource_create", status=404, package_id="nope", url="x")
    assert body["error"]["__type"] == "Not Found Error"


async def test_a_live_resource_keeps_its_broker_query(client: httpx.AsyncClient) -> None:
    created = await create(
        client,
        resources=[
            {
                "name": "現在の人流",
                "format": "CSV",
                "query": {"type": "CrowdFlowObserved", "q": "peopleCount>10"},
            }
        ],
    )
    (resource,) = created["resources"]
    assert resource["kind"] == "live" and resource["url_type"] == "live"
    assert resource["query"] == {"type": "CrowdFlowObserved", "q": "peopleCount>10"}
    body = await ckan(
        client, "resource_create", status=409, package_id=created["id"], kind="live", name="x"
    )
    assert body["error"]["__type"] == "Validation Error"
