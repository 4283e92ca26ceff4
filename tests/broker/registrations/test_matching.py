"""matching_sources and record_outcome: the contract of the distributed operations (clause
4.3.6), on both stores."""

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from auth.principals import SYSTEM, Access, Principal
from broker.registrations.models import Registration
from broker.registrations.service import record_outcome
from broker.registrations.sources import EntitySelector
from tests.broker.registrations.helpers import (
    NGSI,
    REGISTRATIONS,
    SENSOR,
    exclusive,
    headers,
    register,
    registration,
    sources,
)

FLOW = NGSI + "CrowdFlowObserved"
COUNT = NGSI + "peopleCount"
YOKOHAMA = Access.system("yokohama")


async def test_a_matching_registration_is_a_source_with_its_headers_in_clear(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    registration_id = await register(
        client,
        registration(
            information=[
                {"entities": [{"type": "CrowdFlowObserved"}], "propertyNames": ["peopleCount"]}
            ],
            tenant="remote",
            contextSourceInfo=[{"key": "Authorization", "value": "Bearer t"}],
            management={"localOnly": True, "timeout": 1500, "cooldown": 60000},
        ),
        tenant="yokohama",
    )
    (found,) = await sources(app, YOKOHAMA, operation="queryEntity", types=[FLOW])
    assert found.registration_id == registration_id
    assert found.tenant_id == "yokohama"
    assert found.endpoint == "http://127.0.0.1:9/remote"
    assert found.mode == "inclusive"
    assert {"retrieveEntity", "queryEntity", "createSubscription"} <= found.operations
    assert found.entities == (EntitySelector(type=FLOW),)
    assert found.property_names == frozenset({COUNT})
    assert found.relationship_names == frozenset()
    assert found.remote_tenant == "remote"
    assert found.headers == (("Authorization", "Bearer t"),)
    assert (found.timeout_seconds, found.cooldown_seconds, found.local_only) == (1.5, 60.0, True)


async def test_sources_match_by_type_id_pattern_and_attribute(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    by_pattern = await register(
        client,
        registration(
            information=[
                {
                    "entities": [{"type": "CrowdFlowObserved", "idPattern": ":kawasaki-"}],
                    "propertyNames": ["peopleCount"],
                }
            ]
        ),
        tenant="yokohama",
    )
    by_id = await register(client, exclusive(SENSOR, "congested"), tenant="yokohama")
    any_entity = await register(
        client, registration(information=[{"propertyNames": ["occupancy"]}]), tenant="yokohama"
    )

    async def ids(**request: object) -> set[str]:
        found = await sources(app, YOKOHAMA, operation="retrieveEntity", **request)
        return {s.registration_id for s in found}

    assert await ids() == {by_pattern, by_id, any_entity}
    assert await ids(types=[FLOW]) == {by_pattern, by_id, any_entity}
    assert await ids(types=[NGSI + "Other"]) == {any_entity}
    assert await ids(entity_ids=[SENSOR]) == {by_pattern, by_id, any_entity}
    assert await ids(entity_ids=["urn:ngsi-ld:CrowdFlowObserved:yokohama-1"]) == {any_entity}
    assert await ids(attrs=[COUNT]) == {by_pattern}
    assert await ids(attrs=[NGSI + "congested"]) == {by_id}
    assert await ids(attrs=[NGSI + "occupancy"], types=[FLOW]) == {any_entity}
    assert await ids(id_pattern="kawasaki-1$") == {by_pattern, by_id, any_entity}
    assert await ids(id_pattern="^nothing") == {by_pattern, any_entity}


async def test_only_registrations_offering_the_operation_match(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    reads = await register(client, registration(operations=["retrieveOps"]), tenant="yokohama")
    writes = await register(
        client, registration(operations=["redirectionOps"], mode="redirect"), tenant="yokohama"
    )

    async def ids(operation: str) -> set[str]:
        return {s.registration_id for s in await sources(app, YOKOHAMA, operation=operation)}

    assert await ids("queryEntity") == {reads, writes}
    assert await ids("updateAttrs") == {writes}
    assert await ids("createSubscription") == set()


async def test_expired_registrations_are_not_used_and_show_expired(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    registration_id = await register(client, registration(), tenant="yokohama")
    async with app.state.db.transaction() as session:
        await session.execute(
            update(Registration).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await sources(app, YOKOHAMA, operation="queryEntity") == []
    found = await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers("yokohama"))
    assert found.json()["status"] == "expired"


async def test_registrations_of_another_tenant_never_serve(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await register(client, registration(), tenant="kawasaki")
    assert await sources(app, YOKOHAMA, operation="queryEntity") == []
    assert len(await sources(app, Access.system("kawasaki"), operation="queryEntity")) == 1


async def test_a_client_limited_to_types_gets_only_sources_of_those_types(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await register(client, registration(), tenant="yokohama")
    other = await register(
        client,
        registration(information=[{"entities": [{"type": "WeatherObserved"}]}]),
        tenant="yokohama",
    )
    limited = YOKOHAMA.restricted_to(frozenset({NGSI + "WeatherObserved"}))
    assert [s.registration_id for s in await sources(app, limited, operation="queryEntity")] == [
        other
    ]


async def test_a_registration_serves_from_the_next_request_on(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # the tenants holding registrations are known in-process: a new one is seen at once
    assert await sources(app, YOKOHAMA, operation="queryEntity") == []
    registration_id = await register(client, registration(), tenant="yokohama")
    (found,) = await sources(app, YOKOHAMA, operation="queryEntity")
    assert found.registration_id == registration_id
    response = await client.delete(
        f"{REGISTRATIONS}/{registration_id}", headers=headers("yokohama")
    )
    assert response.status_code == 204
    assert await sources(app, YOKOHAMA, operation="queryEntity") == []


async def _grant(client: httpx.AsyncClient, grantor: str, **body: object) -> None:
    response = await client.post(f"/admin/v1/tenants/{grantor}/grants", json=body)
    assert response.status_code == 201, response.text


async def test_shared_tenant_registrations_serve_a_tenant_it_granted_for_the_granted_types(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    shared = app.state.auth_settings.shared_tenant
    registration_id = await register(
        client, registration(information=[{"propertyNames": ["peopleCount"]}]), tenant=shared
    )
    assert await sources(app, YOKOHAMA, operation="queryEntity") == []
    await _grant(client, shared, granteeTenant="yokohama", entityTypes=["CrowdFlowObserved"])
    (found,) = await sources(app, YOKOHAMA, operation="queryEntity")
    assert found.registration_id == registration_id
    assert found.tenant_id == shared
    assert found.entities == (EntitySelector(type=FLOW),)  # narrowed to the granted type
    assert await sources(app, YOKOHAMA, operation="queryEntity", types=[NGSI + "Other"]) == []
    # the grant is yokohama's, not kawasaki's
    assert await sources(app, Access.system("kawasaki"), operation="queryEntity") == []


async def test_a_grant_to_one_client_lets_that_client_use_the_shared_sources(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    shared = app.state.auth_settings.shared_tenant
    await register(client, registration(), tenant=shared)
    await _grant(client, shared, granteeClient="test-admin", entityTypes=["CrowdFlowObserved"])
    principal = Principal(
        subject="c", client_id="test-admin", scopes=SYSTEM.scopes, tenants=frozenset({"kawasaki"})
    )
    assert len(await sources(app, Access(principal, "kawasaki"), operation="queryEntity")) == 1
    other = Principal(
        subject="d", client_id="other", scopes=SYSTEM.scopes, tenants=frozenset({"kawasaki"})
    )
    assert await sources(app, Access(other, "kawasaki"), operation="queryEntity") == []


async def test_outcomes_are_counted_in_the_registration_status(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    registration_id = await register(client, registration(), tenant="yokohama")
    first = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    async with app.state.db.transaction() as session:
        await record_outcome(session, registration_id, "yokohama", ok=True, at=first)
        await record_outcome(
            session, registration_id, "yokohama", ok=False, at=first + timedelta(minutes=1)
        )
        await record_outcome(
            session, "urn:ngsi-ld:ContextSourceRegistration:gone", "yokohama", ok=True, at=first
        )
        await record_outcome(session, registration_id, "kawasaki", ok=True, at=first)
    found = (
        await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers("yokohama"))
    ).json()
    assert (found["timesSent"], found["timesFailed"]) == (2, 1)
    assert found["lastSuccess"] == "2026-12-01T09:00:00.000000Z"
    assert found["lastFailure"] == "2026-12-01T09:01:00.000000Z"
    assert found["status"] == "failed"
    async with app.state.db.transaction() as session:
        await record_outcome(
            session, registration_id, "yokohama", ok=True, at=first + timedelta(minutes=2)
        )
    found = (
        await client.get(f"{REGISTRATIONS}/{registration_id}", headers=headers("yokohama"))
    ).json()
    assert found["status"] == "ok"
