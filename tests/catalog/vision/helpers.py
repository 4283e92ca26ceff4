"""Helpers of the vision registry tests: survey answers, clients of one municipality."""

from typing import Any

import httpx
from fastapi import FastAPI

from auth import scopes
from tests.auth.helpers import bearer

BASES = "/vision/bases"
VISION_SCOPES = [scopes.VISION_READ, scopes.VISION_WRITE]


def answer(**overrides: Any) -> dict[str, Any]:
    """A base of Yokohama: full (non-personal and personal), public and private services."""
    body: dict[str, Any] = {
        "municipality": "yokohama",
        "code": "city-os",
        "surveyYear": 2026,
        "name": "横浜市都市OS",
        "vendor": "みなとシステムズ",
        "operator": "横浜市デジタル統括本部",
        "domains": ["観光", "防災"],
        "services": ["観光アプリ", "防災ポータル"],
        "dataHandled": ["人流", "避難所"],
        "usage": "観光アプリと防災ポータルへのデータ提供",
        "dbCapacityGb": 500,
        "targetScale": 100000,
        "annualCostYen": 30000000,
        "linkageMethod": "NGSI-LD API",
        "broker": "FIWARE Orion-LD",
        "serviceProvisionScheme": "municipalityAndPrivate",
        "baseProvisionScheme": "municipalityOnly",
        "userScope": "withinMunicipality",
        "personalAuthServices": "1",
        "nonPersonalBases": "1",
        "personalBases": "1",
        "brokerDataManagement": "internalSeparated",
        "identityAssurance": "IAL2",
        "authenticatorAssurance": "AAL2",
        "responsibilities": [{"module": "ブローカー", "side": "base"}],
        "targetBaseCount": "single",
        "targetUserScope": "prefectureWide",
        "targetProvider": "publicPrivate",
        "policy": "shareExisting",
        "dataMap": [
            {
                "dataLocation": "市のクラウド",
                "content": "駅前の人流",
                "dataAttributes": ["peopleCount", "location"],
                "connectionMethod": "NGSI-LD API",
                "updateFrequency": "10分",
                "linkageState": "連携済",
                "entityType": "CrowdFlowObserved",
            }
        ],
    }
    body.update(overrides)
    return body


async def member_of(
    http: httpx.AsyncClient, app: FastAPI, *tenants: str, scope: list[str] | None = None
) -> dict[str, str]:
    """The Authorization header of a client of these tenants (vision scopes unless given)."""
    return await bearer(http, app, scopes=scope or VISION_SCOPES, tenants=list(tenants))


async def create(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await http.post(BASES, json=answer(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def check_read_route_auth(
    client: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    app: FastAPI,
    path: str,
    params: dict[str, Any],
) -> httpx.Response:
    """401 without a token, 403 without vision:read; returns what another municipality's
    reader gets (the inventory is the prefecture's shared data)."""
    assert (await anonymous.get(path, params=params)).status_code == 401
    none = await member_of(client, app, "yokohama", scope=[scopes.READ])
    assert (await client.get(path, params=params, headers=none)).status_code == 403
    kawasaki = await member_of(client, app, "kawasaki", scope=[scopes.VISION_READ])
    response = await client.get(path, params=params, headers=kawasaki)
    assert response.status_code == 200, response.text
    return response
