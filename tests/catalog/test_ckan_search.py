"""package_search (issue 16): Japanese text without spaces, fq, sort, paging, facets and
include_private, in CKAN's result shape."""

import asyncio

import httpx
from fastapi import FastAPI

from tests.catalog.helpers import add_group, ckan, create, publisher, result


async def _names(http: httpx.AsyncClient, **params: object) -> list[str]:
    found = await result(http, "package_search", **params)
    return [dataset["name"] for dataset in found["results"]]


async def test_two_character_japanese_queries_match_inside_words(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    plain = {"tags": [], "notes": "", "resources": []}
    await create(client, **plain | {"name": "jinryu", "title": "駅前の人流データ"})
    await create(client, **plain | {"name": "hinan", "title": "指定緊急避難場所一覧"})
    await create(
        client, **plain | {"name": "kanko", "title": "施設一覧", "tags": [{"name": "観光"}]}
    )
    await create(client, **plain | {"name": "bunka", "title": "文化財", "notes": "市内の観光名所"})
    assert await _names(anonymous, q="人流") == ["jinryu"]
    assert await _names(anonymous, q="避難") == ["hinan"]
    assert sorted(await _names(anonymous, q="観光")) == ["bunka", "kanko"]
    assert await _names(anonymous, q="避難 一覧") == ["hinan"]  # every term must occur
    assert await _names(anonymous, q="地震") == []


async def test_relevance_then_recency(client: httpx.AsyncClient) -> None:
    plain = {"tags": [], "resources": []}
    await create(client, **plain | {"name": "notes-old", "title": "資料", "notes": "人流の計測"})
    await create(client, **plain | {"name": "title-match", "title": "人流データ", "notes": ""})
    await asyncio.sleep(0.01)
    await create(client, **plain | {"name": "notes-new", "title": "資料", "notes": "人流の計測"})
    assert await _names(client, q="人流") == ["title-match", "notes-new", "notes-old"]


async def test_search_reads_resource_names_and_tags(client: httpx.AsyncClient) -> None:
    await create(
        client,
        name="toilet",
        title="施設",
        notes="",
        tags=[{"name": "衛生"}],
        resources=[{"name": "公衆トイレ一覧 CSV", "url": "https://example.jp/t.csv"}],
    )
    assert await _names(client, q="トイレ") == ["toilet"]
    assert await _names(client, q="衛生") == ["toilet"]


async def test_empty_q_and_star_star_match_everything(client: httpx.AsyncClient) -> None:
    await create(client, name="one")
    await create(client, name="two")
    assert (await result(client, "package_search"))["count"] == 2
    assert (await result(client, "package_search", q="*:*"))["count"] == 2


async def test_fq_field_values_negation_and_ranges(client: httpx.AsyncClient) -> None:
    await create(client, name="yoko-csv")
    await create(
        client,
        name="kawa-json",
        owner_org="kawasaki",
        tags=[{"name": "防災"}],
        license_id="cc-zero",
        resources=[{"name": "data", "url": "https://example.jp/d.json", "format": "JSON"}],
    )
    assert await _names(client, fq="organization:kawasaki") == ["kawa-json"]
    assert await _names(client, fq="owner_org:yokohama") == ["yoko-csv"]
    assert await _names(client, fq='tags:"防災"') == ["kawa-json"]
    assert await _names(client, fq="res_format:CSV") == ["yoko-csv"]
    assert await _names(client, fq="license_id:cc-zero") == ["kawa-json"]
    assert await _names(client, fq="-organization:kawasaki") == ["yoko-csv"]
    assert await _names(client, fq="+dataset_type:dataset organization:yokohama") == ["yoko-csv"]
    assert await _names(client, q="tags:防災") == ["kawa-json"]
    shown = await result(client, "package_show", id="kawa-json")
    since = f"metadata_modified:[{shown['metadata_modified']}Z TO *]"
    assert await _names(client, fq=since) == ["kawa-json"]
    assert sorted(await _names(client, fq="metadata_modified:[* TO NOW]")) == [
        "kawa-json",
        "yoko-csv",
    ]


async def test_rows_start_and_sort_page_like_a_harvester(client: httpx.AsyncClient) -> None:
    for name in ("d-4", "b-2", "a-1", "c-3", "e-5"):
        await create(client, name=name)
    pages = []
    for start in (0, 2, 4):
        found = await result(client, "package_search", rows=2, start=start, sort="name asc")
        assert found["count"] == 5 and found["sort"] == "name asc"
        pages.append([dataset["name"] for dataset in found["results"]])
    assert pages == [["a-1", "b-2"], ["c-3", "d-4"], ["e-5"]]
    assert await _names(client, sort="name desc", rows=1) == ["e-5"]
    by_id = await _names(client, sort="id asc", rows=1000)
    assert len(by_id) == 5
    found = await result(client, "package_search", rows=5000)
    assert found["count"] == 5  # rows over 1000 are cut to 1000, as CKAN's search.rows_max


async def test_facets_count_the_matched_datasets(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_group(app, "bosai", "防災")
    await create(client, name="aa", tags=[{"name": "人流"}], groups=[{"name": "bosai"}])
    await create(client, name="bb", tags=[{"name": "人流"}, {"name": "観光"}])
    await create(client, name="cc", owner_org="kawasaki", tags=[{"name": "観光"}])
    found = await result(
        client,
        "package_search",
        fq="organization:yokohama",
        **{"facet.field": '["tags", "organization", "groups", "res_format"]'},
    )
    assert found["count"] == 2
    assert found["facets"]["tags"] == {"人流": 2, "観光": 1}
    assert found["facets"]["organization"] == {"yokohama": 2}
    tags = found["search_facets"]["tags"]
    assert tags["title"] == "tags"
    assert tags["items"] == [
        {"name": "人流", "display_name": "人流", "count": 2},
        {"name": "観光", "display_name": "観光", "count": 1},
    ]
    assert found["search_facets"]["groups"]["items"] == [
        {"name": "bosai", "display_name": "防災", "count": 1}
    ]
    assert found["facets"]["res_format"] == {"CSV": 2}
    limited = await result(
        client,
        "package_search",
        **{"facet.field": ["tags"], "facet.limit": 1, "facet.mincount": 2},
    )
    assert limited["facets"]["tags"] == {"人流": 2}


async def test_include_private_shows_only_the_callers_own_private_datasets(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, name="yoko-private", private=True)
    await create(client, name="kawa-private", owner_org="kawasaki", private=True)
    await create(client, name="public")
    yokohama = await publisher(anonymous, app, "yokohama")
    assert await _names(anonymous, include_private=True) == ["public"]
    own = await ckan(anonymous, "package_search", headers=yokohama, include_private=True)
    assert sorted(d["name"] for d in own["result"]["results"]) == ["public", "yoko-private"]
    without = await ckan(anonymous, "package_search", headers=yokohama)
    assert [d["name"] for d in without["result"]["results"]] == ["public"]
    response = await anonymous.get(
        "/api/3/action/package_search", params={"include_private": "true"}, headers=yokohama
    )
    assert response.json()["result"]["count"] == 2


async def test_deleted_and_draft_datasets_are_not_found_by_search(
    client: httpx.AsyncClient,
) -> None:
    await create(client, name="draft", state="draft")
    await create(client, name="gone")
    await ckan(client, "package_delete", id="gone")
    assert (await result(client, "package_search", include_private=True))["count"] == 0


async def test_unparsable_queries_are_search_query_errors(anonymous: httpx.AsyncClient) -> None:
    for params in ({"fq": "colour:red"}, {"sort": "popularity desc"}, {"fq": "just words"}):
        body = await ckan(anonymous, "package_search", status=400, **params)
        assert body["error"]["__type"] == "Search Query Error"
    body = await ckan(anonymous, "package_search", status=409, rows="many")
    assert body["error"] == {"__type": "Validation Error", "rows": ["Invalid integer"]}
