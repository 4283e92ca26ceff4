"""The vision document renders from the stored entries, in HTML and in Markdown."""

import httpx
from fastapi import FastAPI

from tests.catalog.vision.helpers import check_read_route_auth, create

DOCUMENT = "/vision/document"


async def _entries(client: httpx.AsyncClient) -> None:
    await create(client)  # 1.3 -> 2.4 by B
    await create(
        client,
        municipality="kawasaki",
        code="kanko",
        name="川崎<観光>基盤",
        nonPersonalBases="0",
        personalBases="0",
        policy="prefectureBuilds",
        tasksDone=["servicePlanning"],
        annualCostYen=1234567,
    )
    await create(client, surveyYear=2025, name="前年度の基盤")


async def test_the_markdown_document_shows_state_policy_and_candidates(
    client: httpx.AsyncClient,
) -> None:
    await _entries(client)
    response = await client.get(DOCUMENT, params={"surveyYear": 2026, "format": "markdown"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    text = response.text
    assert text.startswith("# データ連携基盤共同利用ビジョン (2026 年度調査)")
    assert "2 基盤 / 2 団体" in text
    assert "| 1.1 | 基盤なし | 1 |" in text
    assert "| 1.3 | フル機能の基盤、官民がサービス提供 | 1 |" in text
    assert "| 2.4 | 単一基盤・官民連携・都道府県内 | 2 |" in text
    assert (
        "| kawasaki | 川崎<観光>基盤 | 1.1 | 県が構築 | 2.4 | A 新規構築 | 1/4 | 1,234,567 |"
        in text
    )
    assert (
        "| yokohama | 横浜市都市OS | 1.3 | 既存基盤を共同利用 | 2.4 | B 単独団体の基盤の広域展開 |"
        in text
    )
    assert "- 分野「観光」を 2 団体が別々の基盤で運用" in text
    assert "/vision/export?format=csv&surveyYear=2026" in text
    assert "前年度の基盤" not in text


async def test_the_html_document_escapes_the_data(client: httpx.AsyncClient) -> None:
    await _entries(client)
    response = await client.get(DOCUMENT, params={"surveyYear": 2026})
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<td>川崎&lt;観光&gt;基盤</td>" in response.text
    assert "<h2>集約候補</h2>" in response.text


async def test_the_document_needs_a_token_and_vision_read(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    await _entries(client)
    params = {"surveyYear": 2026}
    shown = await check_read_route_auth(client, anonymous, app, DOCUMENT, params)
    assert "横浜市都市OS" in shown.text  # its neighbours' bases included
