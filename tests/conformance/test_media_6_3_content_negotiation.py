"""Clause 6.3.4 (ETSI GS CIM 009 V1.8): media types of requests and responses, the Accept
list order and q-values, 406/415, JSON Merge Patch, and Length Required (6.3.2, 6.3.4)."""

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, assert_problem, create, headers

ENTITY = f"{ENTITIES}/{SENSOR_ID}"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("application/ld+json, application/json", "application/json"),
        ("application/geo+json, application/json", "application/json"),
        ("application/json;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("application/json;q=0, */*", "application/ld+json"),
        ("application/*, application/json;q=0", "application/ld+json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
    ],
)
async def test_6_3_4_accept_selects_by_weight_then_by_the_spec_list_order(
    client: httpx.AsyncClient, accept: str | None, expected: str
) -> None:
    await create(client)
    extra = {} if accept is None else {"Accept": accept}
    response = await client.get(ENTITY, headers=headers(**extra))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


async def test_6_3_4_geojson_is_chosen_where_retrieve_entity_offers_it(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    response = await client.get(
        ENTITY, headers=headers(Accept="application/json;q=0.2, application/geo+json")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == "application/geo+json"
    assert response.json()["type"] == "Feature"


async def test_6_3_4_accept_whose_only_ranges_are_weighted_zero_is_406(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    response = await client.get(
        ENTITY,
        headers=headers(
            Accept="*/*, application/json;q=0, application/ld+json;q=0, application/geo+json;q=0"
        ),
    )
    assert_problem(response, 406, "NotAcceptable")


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_6_3_4_merge_patch_json_is_refused_outside_patch_with_415(
    client: httpx.AsyncClient, method: str
) -> None:
    await create(client)
    url = ENTITIES if method == "POST" else ENTITY
    body = {"id": "urn:ngsi-ld:CrowdFlowObserved:other", "type": "CrowdFlowObserved"}
    if method == "PUT":
        body = {"type": "CrowdFlowObserved"}
    response = await client.request(
        method,
        url,
        content=orjson.dumps(body),
        headers=headers(**{"Content-Type": "application/merge-patch+json"}),
    )
    assert_problem(response, 415, "UnsupportedMediaType")


async def test_6_3_4_merge_patch_json_with_parameters_is_accepted_by_merge_entity(
    client: httpx.AsyncClient,
) -> None:
    """Merge Entity (PATCH) takes merge-patch+json; Content-Type parameters are ignored; the
    same body is refused as merge-patch+json by Create Entity (POST)."""
    await create(client)
    patched = await client.patch(
        ENTITY,
        content=orjson.dumps({"congested": {"type": "Property", "value": True}}),
        headers=headers(**{"Content-Type": "application/merge-patch+json; charset=utf-8"}),
    )
    assert patched.status_code == 204, patched.text
    refused = await client.post(
        ENTITIES,
        content=orjson.dumps({"id": "urn:ngsi-ld:X:1", "type": "X"}),
        headers=headers(**{"Content-Type": "application/merge-patch+json; charset=utf-8"}),
    )
    assert_problem(refused, 415, "UnsupportedMediaType")


async def _chunked(body: dict[str, object]) -> AsyncIterator[bytes]:
    """A body httpx sends with Transfer-Encoding: chunked and no Content-Length."""
    yield orjson.dumps(body)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", ENTITIES), ("PATCH", f"{ENTITY}/attrs"), ("PUT", ENTITY)],
)
async def test_6_3_4_write_without_content_length_is_a_bare_411(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    """6.3.2 and 6.3.4: no Content-Length (a chunked body) is 411 with no payload body."""
    await create(client)
    response = await client.request(
        method,
        path,
        content=_chunked({"type": "CrowdFlowObserved", "congested": {"value": True}}),
        headers=headers(),
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 411
    assert response.content == b""


async def test_6_3_4_length_required_is_decided_before_the_tenant_is_looked_up(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        ENTITIES,
        content=_chunked({"id": "urn:ngsi-ld:X:1", "type": "X"}),
        headers=headers(tenant="nosuchtenant"),
    )
    assert response.status_code == 411
    assert response.content == b""
    listed = await client.get(ENTITIES, params={"type": "X"}, headers=headers())
    assert listed.status_code == 200
