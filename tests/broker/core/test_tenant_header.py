"""A request names its tenant once: two NGSILD-Tenant (or, on /iot, Fiware-Service) header
lines are refused with 400 BadRequestData rather than silently resolved to one of them
(NGSI-LD 6.3.14: the tenant is given in the NGSILD-Tenant HTTP header)."""

import httpx

BAD_REQUEST = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
TWO_TENANTS = [("NGSILD-Tenant", "yokohama"), ("NGSILD-Tenant", "kawasaki")]


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == BAD_REQUEST


async def test_two_ngsild_tenant_headers_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    entity = {"id": "urn:ngsi-ld:Room:twice", "type": "Room"}
    created = await client.post(
        "/ngsi-ld/v1/entities",
        json=entity,
        headers=[*TWO_TENANTS, ("Content-Type", "application/json")],
    )
    _refused(created)
    for tenant in ("yokohama", "kawasaki"):
        found = await client.get(
            f"/ngsi-ld/v1/entities/{entity['id']}", headers={"NGSILD-Tenant": tenant}
        )
        assert found.status_code == 404, (tenant, found.text)


async def test_two_ngsild_tenant_headers_are_refused_on_reads(client: httpx.AsyncClient) -> None:
    listed = await client.get("/ngsi-ld/v1/entities", params={"type": "Room"}, headers=TWO_TENANTS)
    _refused(listed)


async def test_one_ngsild_tenant_header_still_selects_the_tenant(
    client: httpx.AsyncClient,
) -> None:
    entity = {"id": "urn:ngsi-ld:Room:once", "type": "Room"}
    created = await client.post(
        "/ngsi-ld/v1/entities", json=entity, headers={"NGSILD-Tenant": "yokohama"}
    )
    assert created.status_code == 201, created.text
    found = await client.get(
        f"/ngsi-ld/v1/entities/{entity['id']}", headers={"NGSILD-Tenant": "yokohama"}
    )
    assert found.status_code == 200, found.text


async def test_two_fiware_service_headers_are_refused_on_iot_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    group = {"apikey": "twice-key", "entity_type": "Thing", "attributes": []}
    created = await client.post(
        "/iot/services",
        json={"services": [group]},
        headers=[("Fiware-Service", "yokohama"), ("Fiware-Service", "kawasaki")],
    )
    _refused(created)
    for tenant in ("yokohama", "kawasaki"):
        listed = await client.get("/iot/services", headers={"Fiware-Service": tenant})
        assert listed.status_code == 200, listed.text
        assert listed.json()["count"] == 0
