"""/v2/types: the types with entities in the tenant and service path, Orion's shape."""

import httpx
from fastapi import FastAPI

from tests.auth.helpers import bearer
from tests.broker.v2.helpers import assert_orion_error, create, fiware, room


async def test_types_list_counts_and_attribute_types(client: httpx.AsyncClient) -> None:
    await create(client, room("R1"))
    await create(client, room("R2"))
    await create(client, {"id": "C1", "type": "Car", "speed": {"type": "Number", "value": 1}})
    listed = await client.get("/v2/types?options=count")
    assert listed.headers["Fiware-Total-Count"] == "2"
    assert listed.json() == [
        {"type": "Car", "attrs": {"speed": {"types": ["Number"]}}, "count": 1},
        {
            "type": "Room",
            "attrs": {"pressure": {"types": ["Integer"]}, "temperature": {"types": ["Number"]}},
            "count": 2,
        },
    ]
    assert (await client.get("/v2/types?options=values")).json() == ["Car", "Room"]
    one = await client.get("/v2/types/Room")
    assert one.json()["count"] == 2


async def test_unknown_type_is_not_found(client: httpx.AsyncClient) -> None:
    assert_orion_error(await client.get("/v2/types/Nothing"), 404, "NotFound")


async def test_service_path_and_tenant_narrow_the_types(client: httpx.AsyncClient) -> None:
    await create(client, room("R1"), **fiware("yokohama", "/a"))
    await create(client, {"id": "C1", "type": "Car"}, **fiware("yokohama", "/b"))
    seen = await client.get("/v2/types?options=values", headers=fiware("yokohama", "/a"))
    assert seen.json() == ["Room"]
    assert (await client.get("/v2/types", headers=fiware("kawasaki"))).json() == []


async def test_types_need_a_token_the_read_scope_and_the_tenant(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    for url in ("/v2/types", "/v2/types/Room"):
        assert_orion_error(await anonymous.get(url), 401, "Unauthorized")
        writer = await bearer(client, app, scopes=["ngsi-ld:write"])
        assert_orion_error(await client.get(url, headers=writer), 403, "Forbidden")
        other = await bearer(client, app, tenants=["yokohama"])
        response = await client.get(url, headers=other | fiware("kawasaki"))
        assert_orion_error(response, 403, "Forbidden")
