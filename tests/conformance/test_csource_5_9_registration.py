"""Clauses 5.9 and 6.8-6.9 (context source registration) and 4.3.6.3 (exclusive registrations),
as the standard words them, on both stores.

- 6.8.3.1: a JSON-LD body carries its @context; 201 with Location naming the registration.
- 5.2.9: `type` is "ContextSourceRegistration"; `information` and `endpoint` are mandatory;
  `mode` defaults to inclusive and `operations` to federationOps.
- 5.9.2: an id already registered is 409 AlreadyExists.
- 4.3.6.3: an exclusive registration overlapping another on an entity id + attribute: 409.
- 5.9.4 / 6.9.3.3: deleting a registration that does not exist is 404 ResourceNotFound.
- 6.3.5: a JSON-LD response carries the @context the request named.
"""

import httpx

from tests.broker.registrations.helpers import REGISTRATIONS, SENSOR, exclusive, headers

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
CONTEXT = {"Counter": "https://example.org/Counter", "n": "https://example.org/n"}
BODY = {
    "id": "urn:ngsi-ld:ContextSourceRegistration:conformance",
    "type": "ContextSourceRegistration",
    "information": [{"entities": [{"type": "Counter"}], "propertyNames": ["n"]}],
    "endpoint": "http://127.0.0.1:9/source",
}


async def test_6_8_3_1_json_ld_registration_is_created_with_a_location(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        REGISTRATIONS,
        json={**BODY, "@context": [CONTEXT, CORE]},
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 201, response.text
    assert response.content == b""
    assert response.headers["Location"] == f"{REGISTRATIONS}/{BODY['id']}"


async def test_5_2_9_defaults_are_inclusive_and_federation_ops(client: httpx.AsyncClient) -> None:
    await client.post(
        REGISTRATIONS,
        json={**BODY, "@context": [CONTEXT, CORE]},
        headers={"Content-Type": "application/ld+json"},
    )
    response = await client.get(
        f"{REGISTRATIONS}/{BODY['id']}",
        headers={"Accept": "application/ld+json"},
    )
    found = response.json()
    assert found["mode"] == "inclusive"
    assert found["operations"] == ["federationOps"]
    assert found["@context"] == CORE
    # compacted with the core context only: the names read back as IRIs
    assert found["information"] == [
        {
            "entities": [{"type": "https://example.org/Counter"}],
            "propertyNames": ["https://example.org/n"],
        }
    ]


async def test_5_2_9_mandatory_members_missing_are_400_bad_request_data(
    client: httpx.AsyncClient,
) -> None:
    for missing in ("type", "information", "endpoint"):
        body = {k: v for k, v in BODY.items() if k != missing}
        response = await client.post(REGISTRATIONS, json=body, headers=headers())
        assert response.status_code == 400, missing
        assert response.json()["type"] == ERRORS + "BadRequestData"


async def test_5_9_2_an_id_registered_already_is_409_already_exists(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.post(REGISTRATIONS, json=BODY, headers=headers())).status_code == 201
    response = await client.post(REGISTRATIONS, json=BODY, headers=headers())
    assert response.status_code == 409
    assert response.json()["type"] == ERRORS + "AlreadyExists"


async def test_4_3_6_3_overlapping_exclusive_registrations_are_409_conflict(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post(REGISTRATIONS, json=exclusive(SENSOR, "n"), headers=headers())
    assert first.status_code == 201
    second = await client.post(
        REGISTRATIONS,
        json=exclusive(SENSOR, "n", endpoint="http://127.0.0.1:10/other"),
        headers=headers(),
    )
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["type"] == ERRORS + "Conflict"


async def test_6_9_3_3_deleting_an_unknown_registration_is_404(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"{REGISTRATIONS}/{BODY['id']}", headers=headers())
    assert response.status_code == 404
    assert response.json()["type"] == ERRORS + "ResourceNotFound"
