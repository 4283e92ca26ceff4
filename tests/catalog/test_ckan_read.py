"""The CKAN Action API's read side (issue 16): CKAN's envelope and shapes, GET and POST alike,
anonymous reads of the public catalog."""

import httpx
from fastapi import FastAPI

from tests.catalog.helpers import add_group, ckan, create, result


async def test_site_read_and_status_show_answer_in_the_envelope(
    anonymous: httpx.AsyncClient,
) -> None:
    assert await result(anonymous, "site_read") is True
    status = await result(anonymous, "status_show")
    assert status["ckan_version"].startswith("2.")
    assert status["site_url"] == "http://renkei.test"
    assert status["locale_default"] == "ja"


async def test_license_list_has_cc_by_cc0_and_pdl(anonymous: httpx.AsyncClient) -> None:
    licenses = {item["id"]: item for item in await result(anonymous, "license_list")}
    assert {"cc-by-4.0", "cc-zero", "pdl-1.0"} <= set(licenses)
    assert licenses["cc-by-4.0"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert licenses["pdl-1.0"]["od_conformance"] == "approved"


async def test_package_show_by_id_or_name_by_get_and_post(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = await create(client)
    by_get = await anonymous.get("/api/3/action/package_show", params={"id": "jinryu-2026"})
    assert by_get.status_code == 200
    assert by_get.json()["result"]["id"] == created["id"]
    by_post = await result(anonymous, "package_show", id=created["id"])
    assert by_post == by_get.json()["result"]
    assert by_post["organization"]["name"] == "yokohama"
    assert by_post["organization"]["is_organization"] is True
    assert by_post["license_title"].endswith("(CC BY 4.0)") and by_post["isopen"] is True
    assert [tag["name"] for tag in by_post["tags"]] == ["人流", "観光"]
    assert by_post["num_resources"] == 1 and by_post["num_tags"] == 2
    (resource,) = by_post["resources"]
    assert resource["package_id"] == created["id"] and resource["position"] == 0
    assert resource["format"] == "CSV" and resource["url"] == "https://example.jp/jinryu.csv"


async def test_ckanapi_path_without_version_serves_the_same_actions(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    response = await client.post("/api/action/package_list", json={})
    assert response.json() == {
        "help": "http://renkei.test/api/3/action/help_show?name=package_list",
        "success": True,
        "result": ["jinryu-2026"],
    }


async def test_timestamps_are_ckan_s_utc_without_zone(client: httpx.AsyncClient) -> None:
    created = await create(client)
    stamp = created["metadata_created"]
    assert len(stamp) == len("2026-12-03T10:20:30.123456") and "+" not in stamp
    assert created["metadata_modified"] == stamp


async def test_unknown_dataset_is_a_not_found_error(anonymous: httpx.AsyncClient) -> None:
    body = await ckan(anonymous, "package_show", status=404, id="nothing-here")
    assert body["error"]["__type"] == "Not Found Error"
    assert body["error"]["message"].startswith("Not found")


async def test_missing_id_is_a_validation_error(anonymous: httpx.AsyncClient) -> None:
    body = await ckan(anonymous, "package_show", status=409)
    assert body["error"] == {"__type": "Validation Error", "id": ["Missing value"]}


async def test_unknown_action_and_write_by_get_are_bad_requests_as_ckan_words_them(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.post("/api/3/action/package_frobnicate", json={})
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: package_frobnicate"
    response = await anonymous.get("/api/3/action/package_create", params={"name": "x"})
    assert response.status_code == 400
    assert response.json() == (
        "Bad request - JSON Error: Invalid request. Please use POST method for your request"
    )


async def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    anonymous: httpx.AsyncClient,
) -> None:
    for body in (b"[1, 2]", b"{not json"):
        response = await anonymous.post(
            "/api/3/action/package_search",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json().startswith("Bad request - JSON Error: ")


async def test_package_list_pages_the_public_names(client: httpx.AsyncClient) -> None:
    for name in ("c-data", "a-data", "b-data"):
        await create(client, name=name)
    await create(client, name="d-private", private=True)
    assert await result(client, "package_list") == ["a-data", "b-data", "c-data"]
    assert await result(client, "package_list", limit=1, offset=1) == ["b-data"]


async def test_organization_list_and_show(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client)
    await create(client, name="kawasaki-data", owner_org="kawasaki")
    await create(client, name="kawasaki-private", owner_org="kawasaki", private=True)
    names = await result(anonymous, "organization_list")
    assert {"yokohama", "kawasaki", "sagamihara"} <= set(names)
    orgs = {
        org["name"]: org for org in await result(anonymous, "organization_list", all_fields=True)
    }
    assert orgs["kawasaki"]["package_count"] == 1  # the private one is not counted for anyone
    assert orgs["sagamihara"]["package_count"] == 0
    shown = await result(anonymous, "organization_show", id="kawasaki", include_datasets=True)
    assert shown["type"] == "organization" and shown["package_count"] == 1
    assert [p["name"] for p in shown["packages"]] == ["kawasaki-data"]
    body = await ckan(anonymous, "organization_show", status=404, id="atlantis")
    assert body["error"]["__type"] == "Not Found Error"


async def test_group_list_and_show(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await add_group(app, "bosai", "防災")
    await add_group(app, "kanko", "観光")
    await create(client, groups=[{"name": "bosai"}])
    assert await result(anonymous, "group_list", sort="name asc") == ["bosai", "kanko"]
    groups = await result(anonymous, "group_list", all_fields=True, sort="package_count desc")
    assert [(g["name"], g["package_count"]) for g in groups] == [("bosai", 1), ("kanko", 0)]
    shown = await result(anonymous, "group_show", id="bosai", include_datasets=True)
    assert shown["title"] == "防災" and shown["is_organization"] is False
    assert [p["name"] for p in shown["packages"]] == ["jinryu-2026"]
    dataset = await result(anonymous, "package_show", id="jinryu-2026")
    assert [(g["name"], g["display_name"]) for g in dataset["groups"]] == [("bosai", "防災")]


async def test_tag_list_of_public_datasets(client: httpx.AsyncClient) -> None:
    await create(client, tags=[{"name": "避難"}, {"name": "防災"}])
    await create(client, name="hidden", private=True, tags=[{"name": "秘密"}])
    assert await result(client, "tag_list") == sorted(["避難", "防災"])
    assert await result(client, "tag_list", query="避") == ["避難"]
    (tag,) = await result(client, "tag_list", query="防", all_fields=True)
    assert tag["name"] == "防災" and tag["vocabulary_id"] is None


async def test_resource_show(client: httpx.AsyncClient, anonymous: httpx.AsyncClient) -> None:
    created = await create(client)
    resource_id = created["resources"][0]["id"]
    shown = await result(anonymous, "resource_show", id=resource_id)
    assert shown == created["resources"][0]
    body = await ckan(anonymous, "resource_show", status=404, id="no-such-resource")
    assert body["error"]["__type"] == "Not Found Error"
