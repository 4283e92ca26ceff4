"""POST/GET/DELETE /csourceRegistrations (clauses 5.9, 6.8, 6.9): fields, validation, tenancy."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from broker.registrations.models import Registration
from tests.broker.registrations.helpers import (
    ENDPOINT,
    REGISTRATIONS,
    SENSOR,
    exclusive,
    headers,
    register,
    registration,
)

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


async def test_a_registration_is_retrieved_with_every_field_and_its_status(
    client: httpx.AsyncClient,
) -> None:
    body = registration(
        id="urn:ngsi-ld:ContextSourceRegistration:kawasaki",
        registrationName="川崎市の人流データ",
        description="Kawasaki's own broker",
        information=[
            {
                "entities": [
                    {"type": "CrowdFlowObserved", "idPattern": "^urn:ngsi-ld:CrowdFlowObserved:k"}
                ],
                "propertyNames": ["peopleCount"],
                "relationshipNames": ["refRoadSegment"],
            }
        ],
        tenant="kawasaki-remote",
        scope=["/kawasaki/station"],
        location={"type": "Point", "coordinates": [139.70, 35.53]},
        observationInterval={"startAt": "2026-01-01T00:00:00Z"},
        managementInterval={"startAt": "2026-01-01T00:00:00Z", "endAt": "2027-01-01T00:00:00Z"},
        expiresAt="2099-01-01T00:00:00Z",
        refreshRate="PT1M",
        management={"localOnly": True, "timeout": 2000, "cooldown": 30000},
        operations=["retrieveOps", "createEntity"],
        dataProvider="kawasaki-city",
    )
    registration_id = await register(client, body)
    assert registration_id == "urn:ngsi-ld:ContextSourceRegistration:kawasaki"
    response = await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers())
    assert response.status_code == 200, response.text
    found = response.json()
    for key, value in body.items():
        assert found[key] == value, key
    assert found["mode"] == "inclusive"
    assert found["status"] == "ok"
    assert found["timesSent"] == 0
    assert found["timesFailed"] == 0


async def test_default_mode_and_operations_are_shown(client: httpx.AsyncClient) -> None:
    registration_id = await register(client)
    assert registration_id.startswith("urn:ngsi-ld:ContextSourceRegistration:")
    found = (await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers())).json()
    assert found["mode"] == "inclusive"
    assert found["operations"] == ["federationOps"]


async def test_names_are_expanded_with_the_request_context_and_compacted_with_the_readers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    context = {"@context": {"Counter": "https://example.org/Counter", "n": "https://example.org/n"}}
    body = registration(
        information=[{"entities": [{"type": "Counter"}], "propertyNames": ["n"]}], **context
    )
    response = await client.post(
        REGISTRATIONS, json=body, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    async with app.state.db.read_session() as session:
        row = (await session.execute(select(Registration))).scalar_one()
    assert row.information == [
        {
            "entities": [{"type": "https://example.org/Counter"}],
            "propertyNames": ["https://example.org/n"],
        }
    ]
    found = (await client.get(response.headers["Location"], headers=headers())).json()
    assert found["information"] == [
        {
            "entities": [{"type": "https://example.org/Counter"}],
            "propertyNames": ["https://example.org/n"],
        }
    ]
    default = (await client.get(REGISTRATIONS, headers=headers())).json()
    assert default[0]["information"][0]["entities"][0]["type"] == "https://example.org/Counter"


async def test_context_source_info_is_sealed_at_rest_and_never_shown_in_clear(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    secret = "Bearer kawasaki-secret-token"
    registration_id = await register(
        client,
        registration(contextSourceInfo=[{"key": "Authorization", "value": secret}]),
    )
    async with app.state.db.read_session() as session:
        row = (await session.execute(select(Registration))).scalar_one()
    assert row.sealed_info and secret not in row.sealed_info
    assert secret not in str(row.document)
    response = await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers())
    assert secret not in response.text
    assert response.json()["contextSourceInfo"] == [{"key": "Authorization", "value": "********"}]
    listed = await client.get(REGISTRATIONS, headers=headers())
    assert secret not in listed.text


async def test_duplicate_registration_id_is_409_already_exists(client: httpx.AsyncClient) -> None:
    body = registration(id="urn:ngsi-ld:ContextSourceRegistration:dup")
    await register(client, body)
    response = await client.post(REGISTRATIONS, json=body, headers=headers())
    assert response.status_code == 409
    assert response.json()["type"] == ERRORS + "AlreadyExists"


async def test_invalid_registrations_are_400_bad_request_data(client: httpx.AsyncClient) -> None:
    invalid = [
        registration(type="Registration"),
        registration(information=None),
        registration(information=[]),
        registration(information=[{}]),
        registration(information=[{"entities": [{"id": SENSOR}]}]),
        registration(information=[{"entities": [{"type": "T", "idPattern": "("}]}]),
        registration(information=[{"propertyNames": ["bad name"]}]),
        registration(endpoint=None),
        registration(endpoint="not a uri"),
        registration(endpoint="ftp://example.org/x"),
        registration(endpoint="http://example.org:99999"),
        registration(mode="sometimes"),
        registration(operations=[]),
        registration(operations=["fly"]),
        registration(mode="auxiliary", operations=["createEntity"]),
        registration(mode="auxiliary", operations=["redirectionOps"]),
        registration(expiresAt="2001-01-01T00:00:00Z"),
        registration(expiresAt="soon"),
        registration(contextSourceInfo=[{"key": "X"}]),
        registration(contextSourceInfo=[{"key": "X", "value": "a\r\nInjected: 1"}]),
        registration(location={"type": "Point", "coordinates": [500, 0]}),
        registration(observationInterval={"endAt": "2026-01-01T00:00:00Z"}),
        registration(
            managementInterval={"startAt": "2026-02-01T00:00:00Z", "endAt": "2026-01-01T00:00:00Z"}
        ),
        registration(scope="no-slash"),
        registration(refreshRate="every minute"),
        registration(management={"timeout": -1}),
        registration(management={"localOnly": "yes"}),
        registration(tenant=""),
        # exclusive: entity ids and attribute names are required, no pattern
        registration(mode="exclusive"),
        registration(
            mode="exclusive",
            information=[{"entities": [{"type": "T", "id": SENSOR}]}],
        ),
        registration(
            mode="exclusive",
            information=[{"entities": [{"type": "T", "idPattern": ".*"}], "propertyNames": ["p"]}],
        ),
        registration(mode="exclusive", information=[{"propertyNames": ["p"]}]),
    ]
    for body in invalid:
        response = await client.post(REGISTRATIONS, json=body, headers=headers())
        assert response.status_code == 400, (body, response.text)
        assert response.json()["type"] == ERRORS + "BadRequestData", body


async def test_a_registration_that_is_no_object_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTRATIONS, json=[registration()], headers=headers())
    assert response.status_code == 400


async def test_deleted_registration_is_not_found(client: httpx.AsyncClient) -> None:
    registration_id = await register(client)
    response = await client.delete(f"{REGISTRATIONS}/{registration_id}", headers=headers())
    assert response.status_code == 204
    response = await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers())
    assert response.status_code == 404
    assert response.json()["type"] == ERRORS + "ResourceNotFound"
    response = await client.delete(f"{REGISTRATIONS}/{registration_id}", headers=headers())
    assert response.status_code == 404


async def test_an_id_that_is_no_uri_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{REGISTRATIONS}/not-a-uri", headers=headers())
    assert response.status_code == 400


async def test_registration_of_another_tenant_is_not_found(client: httpx.AsyncClient) -> None:
    registration_id = await register(client, tenant="yokohama")
    for tenant in ("kawasaki", None):
        url = f"{REGISTRATIONS}/{registration_id}"
        assert (await client.get(url, headers=headers(tenant))).status_code == 404
        assert (await client.delete(url, headers=headers(tenant))).status_code == 404
        assert (await client.get(REGISTRATIONS, headers=headers(tenant))).json() == []
    found = await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers("yokohama"))
    assert found.status_code == 200


async def test_an_endpoint_the_outbound_guard_refuses_is_400(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    guard = app.state.netguard
    allow = guard.allow_private
    guard.allow_private = False
    try:
        response = await client.post(REGISTRATIONS, json=registration(), headers=headers())
    finally:
        guard.allow_private = allow
    assert response.status_code == 400, response.text
    assert "endpoint" in response.json()["detail"]


async def test_unknown_query_parameters_are_400(client: httpx.AsyncClient) -> None:
    response = await client.get(REGISTRATIONS, params={"atrs": "x"}, headers=headers())
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "InvalidRequest"


async def test_the_collection_answers_with_a_trailing_slash(client: httpx.AsyncClient) -> None:
    await register(client)
    response = await client.get(REGISTRATIONS + "/", headers=headers())
    assert response.status_code == 200
    assert len(response.json()) == 1
    assert response.json()[0]["endpoint"] == ENDPOINT


async def test_exclusive_registration_overlapping_another_is_409_conflict(
    client: httpx.AsyncClient,
) -> None:
    await register(client, exclusive(SENSOR, "peopleCount"))
    cases = [
        exclusive(SENSOR, "peopleCount", endpoint="http://127.0.0.1:10/other"),
        registration(
            mode="redirect",
            information=[{"entities": [{"type": "CrowdFlowObserved", "id": SENSOR}]}],
        ),
        registration(
            information=[
                {"entities": [{"type": "CrowdFlowObserved"}], "propertyNames": ["peopleCount"]}
            ]
        ),
    ]
    for body in cases:
        response = await client.post(REGISTRATIONS, json=body, headers=headers())
        assert response.status_code == 409, (body, response.text)
        assert response.json()["type"] == ERRORS + "Conflict"
    # another attribute, another entity, an auxiliary one, another tenant: no conflict
    await register(client, exclusive(SENSOR, "congested"))
    await register(client, exclusive(SENSOR + "-2", "peopleCount"))
    await register(client, registration(mode="auxiliary"))
    await register(client, exclusive(SENSOR, "peopleCount"), tenant="kawasaki")


async def test_exclusive_registration_over_an_inclusive_one_is_409(
    client: httpx.AsyncClient,
) -> None:
    await register(client, registration())  # every attribute of every CrowdFlowObserved
    response = await client.post(REGISTRATIONS, json=exclusive(), headers=headers())
    assert response.status_code == 409
    assert response.json()["registrationId"]
