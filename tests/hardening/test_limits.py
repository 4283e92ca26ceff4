"""Bodies every later step can afford (issue 20): nesting depth and the members of one object or
array are bounded (RENKEI_MAX_JSON_DEPTH, RENKEI_MAX_JSON_MEMBERS), with 400 BadRequestData and
nothing stored, on every route that reads a JSON body."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.broker.entities.helpers import ENTITIES, assert_problem, headers

E = "urn:ngsi-ld:Thing:deep"


def nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


async def test_too_deep_a_body_is_refused(client: httpx.AsyncClient, app: FastAPI) -> None:
    depth = app.state.settings.max_json_depth
    # the entity object and the attribute object are two levels; the value takes the rest
    fits = {"id": E, "type": "T", "p": {"type": "Property", "value": nested(depth - 2)}}
    assert (await client.post(ENTITIES, json=fits, headers=headers())).status_code == 201
    deeper = {"id": E + "2", "type": "T", "p": {"type": "Property", "value": nested(depth - 1)}}
    assert_problem(
        await client.post(ENTITIES, json=deeper, headers=headers()), 400, "BadRequestData"
    )
    assert (await client.get(f"{ENTITIES}/{E}2", headers=headers())).status_code == 404


async def test_a_deep_array_is_as_deep_as_a_deep_object(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    value: Any = 1
    for _ in range(app.state.settings.max_json_depth):
        value = [value]
    body = {"id": E, "type": "T", "p": {"type": "Property", "value": value}}
    assert_problem(await client.post(ENTITIES, json=body, headers=headers()), 400, "BadRequestData")


@pytest.mark.parametrize("where", ["attributes", "value members", "batch items"])
async def test_too_many_members_are_refused(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr(app.state.settings, "max_json_members", 20)
    if where == "attributes":
        body: Any = {"id": E, "type": "T", **{f"a{i}": i for i in range(25)}}
        url = ENTITIES
    elif where == "value members":
        body = {"id": E, "type": "T", "p": {"value": {f"k{i}": i for i in range(25)}}}
        url = ENTITIES
    else:
        body = [{"id": f"{E}{i}", "type": "T"} for i in range(25)]
        url = "/ngsi-ld/v1/entityOperations/upsert"
    assert_problem(await client.post(url, json=body, headers=headers()), 400, "BadRequestData")
    assert (await client.get(f"{ENTITIES}/{E}", headers=headers())).status_code == 404
    smaller = {"id": E, "type": "T", **{f"a{i}": i for i in range(15)}}
    assert (await client.post(ENTITIES, json=smaller, headers=headers())).status_code == 201


async def test_a_scalar_body_is_still_judged_by_its_route(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, json="just a string", headers=headers())
    assert_problem(response, 400, "BadRequestData")
