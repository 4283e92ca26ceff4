"""Consolidation candidates from the stored entries of one survey year, each with its reason."""

import httpx
from fastapi import FastAPI

from tests.catalog.vision.helpers import check_read_route_auth, create

CONSOLIDATION = "/vision/consolidation"


async def _three_cities(client: httpx.AsyncClient) -> None:
    await create(client)  # 観光, 防災; 2 services at 30,000,000 yen
    await create(
        client,
        municipality="kawasaki",
        code="kanko",
        domains=["観光"],
        services=["観光アプリ", "混雑マップ", "イベント案内"],
        annualCostYen=3000000,
    )
    await create(
        client,
        municipality="sagamihara",
        code="bosai",
        domains=["防災"],
        services=["避難所マップ", "河川監視"],
        annualCostYen=2000000,
    )


async def test_candidates_name_their_bases_and_why(client: httpx.AsyncClient) -> None:
    await _three_cities(client)
    await create(client, surveyYear=2025, domains=["子育て"])
    response = await client.get(CONSOLIDATION, params={"surveyYear": 2026})
    assert response.status_code == 200, response.text
    found = {(c["reason"], c["detail"]): c["bases"] for c in response.json()}
    yokohama = "urn:ngsi-ld:DataLinkageBase:yokohama:city-os:2026"
    assert found[("sameDomain", "分野「観光」を 2 団体が別々の基盤で運用")] == [
        "urn:ngsi-ld:DataLinkageBase:kawasaki:kanko:2026",
        yokohama,
    ]
    assert ("sameDomain", "分野「防災」を 2 団体が別々の基盤で運用") in found
    assert found[("duplicateFunction", "サービス「観光アプリ」を 2 団体が別々の基盤で運用")]
    (costly,) = [c for c in response.json() if c["reason"] == "highCostPerService"]
    assert costly["bases"] == [yokohama]
    assert costly["detail"].startswith("接続サービスあたり年間 15,000,000 円")
    assert not any("子育て" in detail for _, detail in found)


async def test_consolidation_needs_a_token_and_vision_read(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    await _three_cities(client)
    params = {"surveyYear": 2026}
    shown = await check_read_route_auth(client, anonymous, app, CONSOLIDATION, params)
    assert len(shown.json()) == len((await client.get(CONSOLIDATION, params=params)).json())
