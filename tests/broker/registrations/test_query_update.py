"""GET /csourceRegistrations filters and paging (6.8.3.2), PATCH (6.9.3.2)."""

import httpx

from tests.broker.registrations.helpers import (
    REGISTRATIONS,
    SENSOR,
    exclusive,
    headers,
    register,
    registration,
)

URN = "urn:ngsi-ld:ContextSourceRegistration:"


async def _ids(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(REGISTRATIONS, params=params, headers=headers())
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()]


async def _three(client: httpx.AsyncClient) -> None:
    await register(
        client,
        registration(
            id=URN + "a",
            information=[
                {"entities": [{"type": "CrowdFlowObserved"}], "propertyNames": ["peopleCount"]}
            ],
            scope="/kanagawa/kawasaki",
            location={"type": "Point", "coordinates": [139.70, 35.53]},
            dataProvider="kawasaki",
        ),
    )
    await register(client, exclusive(SENSOR, "congested", id=URN + "b", scope="/kanagawa/yokohama"))
    await register(
        client,
        registration(
            id=URN + "c",
            mode="auxiliary",
            information=[{"entities": [{"type": "WeatherObserved", "idPattern": "^urn:w"}]}],
            location={"type": "Point", "coordinates": [135.50, 34.69]},
            dataProvider="osaka",
        ),
    )


async def test_registrations_are_selected_by_entity_type_id_pattern_and_attrs(
    client: httpx.AsyncClient,
) -> None:
    await _three(client)
    assert await _ids(client) == [URN + "a", URN + "b", URN + "c"]
    assert await _ids(client, type="CrowdFlowObserved") == [URN + "a", URN + "b"]
    assert await _ids(client, type="WeatherObserved,Other") == [URN + "c"]
    assert await _ids(client, id=SENSOR) == [URN + "a", URN + "b"]
    # a type-only selector may hold any id (the id says nothing of the type)
    assert await _ids(client, id="urn:w1") == [URN + "a", URN + "c"]
    assert await _ids(client, id="urn:w1", type="WeatherObserved") == [URN + "c"]
    assert await _ids(client, idPattern="kawasaki") == [URN + "a", URN + "b", URN + "c"]
    assert await _ids(client, attrs="congested") == [URN + "b", URN + "c"]
    assert await _ids(client, type="CrowdFlowObserved", attrs="peopleCount") == [URN + "a"]


async def test_q_and_csf_test_the_registration_properties(client: httpx.AsyncClient) -> None:
    await _three(client)
    assert await _ids(client, q='dataProvider=="kawasaki"') == [URN + "a"]
    assert await _ids(client, csf='dataProvider=="osaka"') == [URN + "c"]
    assert await _ids(client, csf='mode=="exclusive"') == [URN + "b"]
    assert await _ids(client, q="dataProvider", csf='mode=="auxiliary"') == [URN + "c"]


async def test_scope_and_geo_queries_test_scope_and_location(client: httpx.AsyncClient) -> None:
    await _three(client)
    assert await _ids(client, scopeQ="/kanagawa/#") == [URN + "a", URN + "b"]
    assert await _ids(client, scopeQ="/kanagawa/yokohama") == [URN + "b"]
    near_kawasaki = {
        "georel": "near;maxDistance==5000",
        "geometry": "Point",
        "coordinates": "[139.71,35.53]",
    }
    assert await _ids(client, **near_kawasaki) == [URN + "a"]


async def test_registrations_are_paged_with_a_count_and_links(client: httpx.AsyncClient) -> None:
    await _three(client)
    response = await client.get(
        REGISTRATIONS, params={"limit": "1", "offset": "1", "count": "true"}, headers=headers()
    )
    assert [r["id"] for r in response.json()] == [URN + "b"]
    assert response.headers["NGSILD-Results-Count"] == "3"
    links = response.headers.get_list("Link")
    assert any('rel="prev"' in link and "offset=0" in link for link in links)
    assert any('rel="next"' in link and "offset=2" in link for link in links)
    count_only = await client.get(
        REGISTRATIONS, params={"limit": "0", "count": "true"}, headers=headers()
    )
    assert count_only.json() == [] and count_only.headers["NGSILD-Results-Count"] == "3"


async def test_invalid_query_parameters_are_400(client: httpx.AsyncClient) -> None:
    for params in ({"q": "((("}, {"csf": "a=="}, {"idPattern": "("}, {"scopeQ": "x"}, {"id": "x"}):
        response = await client.get(REGISTRATIONS, params=params, headers=headers())
        assert response.status_code == 400, params


async def test_patch_replaces_members_and_keeps_the_rest(client: httpx.AsyncClient) -> None:
    registration_id = await register(
        client,
        registration(contextSourceInfo=[{"key": "Authorization", "value": "Bearer old"}]),
    )
    url = f"{REGISTRATIONS}/{registration_id}"
    response = await client.patch(
        url,
        json={
            "endpoint": "http://127.0.0.1:10/moved",
            "information": [{"entities": [{"type": "Parking"}], "propertyNames": ["free"]}],
            "expiresAt": "2099-01-01T00:00:00Z",
        },
        headers=headers(),
    )
    assert response.status_code == 204, response.text
    found = (await client.get(url, headers=headers())).json()
    assert found["endpoint"] == "http://127.0.0.1:10/moved"
    assert found["information"] == [{"entities": [{"type": "Parking"}], "propertyNames": ["free"]}]
    assert found["expiresAt"] == "2099-01-01T00:00:00Z"
    assert found["contextSourceInfo"] == [{"key": "Authorization", "value": "********"}]
    assert await _ids(client, type="Parking") == [registration_id]
    assert await _ids(client, type="CrowdFlowObserved") == []


async def test_patch_that_makes_it_invalid_is_400_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    registration_id = await register(client)
    url = f"{REGISTRATIONS}/{registration_id}"
    for fragment in (
        {"mode": "exclusive"},  # no ids, no names
        {"endpoint": "ftp://x"},
        {"id": URN + "other"},
        {"expiresAt": "2001-01-01T00:00:00Z"},
        {},
    ):
        response = await client.patch(url, json=fragment, headers=headers())
        assert response.status_code == 400, (fragment, response.text)
    found = (await client.get(url, headers=headers())).json()
    assert found["mode"] == "inclusive"
    assert found["endpoint"] == "http://127.0.0.1:9/remote"


async def test_patch_into_a_conflict_is_409(client: httpx.AsyncClient) -> None:
    await register(client, exclusive(SENSOR, "peopleCount"))
    registration_id = await register(
        client, registration(information=[{"entities": [{"type": "Parking"}]}])
    )
    response = await client.patch(
        f"{REGISTRATIONS}/{registration_id}",
        json={"information": [{"entities": [{"type": "CrowdFlowObserved", "id": SENSOR}]}]},
        headers=headers(),
    )
    assert response.status_code == 409
    # an exclusive registration may change itself
    own = await register(client, exclusive(SENSOR + "-9", "peopleCount"))
    response = await client.patch(
        f"{REGISTRATIONS}/{own}", json={"description": "moved"}, headers=headers()
    )
    assert response.status_code == 204


async def test_patch_of_another_tenants_registration_is_404(client: httpx.AsyncClient) -> None:
    registration_id = await register(client, tenant="yokohama")
    response = await client.patch(
        f"{REGISTRATIONS}/{registration_id}",
        json={"description": "x"},
        headers=headers("kawasaki"),
    )
    assert response.status_code == 404


async def test_patch_replaces_the_sealed_headers(client: httpx.AsyncClient) -> None:
    registration_id = await register(
        client, registration(contextSourceInfo=[{"key": "A", "value": "1"}])
    )
    url = f"{REGISTRATIONS}/{registration_id}"
    response = await client.patch(
        url, json={"contextSourceInfo": [{"key": "B", "value": "2"}]}, headers=headers()
    )
    assert response.status_code == 204
    found = (await client.get(url, headers=headers())).json()
    assert found["contextSourceInfo"] == [{"key": "B", "value": "********"}]
