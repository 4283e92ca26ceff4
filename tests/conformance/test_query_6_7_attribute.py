"""Clause 6.7.3: Partial Attribute Update (6.7.3.1, 5.6.4) and Delete Attribute (6.7.3.2, 5.6.5).

Written from the spec text and the requests ETSI's conformance suite sends
(TP/NGSI-LD/ContextInformation/Provision/EntityAttributes/PartialAttributeUpdate and
DeleteEntityAttribute): an application/ld+json fragment carries its own @context; DELETE sends
Content-Type and Link headers and deleteAll=false; V1.9 adds the `type` selector and scope.
"""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.helpers import audit_rows, sealed
from tests.broker.entities.helpers import (
    ENTITIES,
    SENSOR_ID,
    assert_problem,
    create,
    fetch,
    headers,
    people_flow,
)
from tests.broker.subscriptions.helpers import eventually, receiver

ATTRS = f"{ENTITIES}/{SENSOR_ID}/attrs"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
LD = {"Content-Type": "application/ld+json"}
# What ETSI's suite sends with a DELETE: a JSON Content-Type and the @context in Link.
DELETE_HEADERS = {
    "Content-Type": "application/json",
    "Link": f'<{CORE}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"',
}
GPS = "urn:ngsi-ld:Dataset:gps"
SPEEDOMETER = "urn:ngsi-ld:Dataset:speedometer"


def ld(fragment: dict[str, Any]) -> dict[str, Any]:
    return {**fragment, "@context": [CORE]}


def vehicle(**attributes: Any) -> dict[str, Any]:
    """The entity of ETSI's 012/013 cases, as a people-flow sensor: every attribute type."""
    return people_flow(
        refRoadSegment={
            "type": "Relationship",
            "object": "urn:ngsi-ld:RoadSegment:1",
            "observedAt": "2026-11-22T09:00:00Z",
            "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Person:Bob"},
        },
        speed=[
            {"type": "Property", "value": 55, "datasetId": SPEEDOMETER},
            {"type": "Property", "value": 54.5, "datasetId": GPS},
        ],
        street={"type": "LanguageProperty", "languageMap": {"ja": "駅前通り", "en": "Ekimae"}},
        scope="/Kanagawa/Yokohama",
        **attributes,
    )


async def test_6_7_3_1_ld_json_fragment_updates_a_sub_relationship_and_keeps_the_rest(
    client: httpx.AsyncClient,
) -> None:
    """6.7.3.1 / 5.6.4: an application/ld+json fragment names its @context in the body (it is
    not an attribute member); only what the fragment names changes; 204 with no body."""
    await create(client, vehicle())
    fragment = ld({"providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Person:Ann"}})
    response = await client.patch(f"{ATTRS}/refRoadSegment", json=fragment, headers=LD)
    assert response.status_code == 204, response.text
    assert not response.content
    assert (await fetch(client))["refRoadSegment"] == {
        "type": "Relationship",
        "object": "urn:ngsi-ld:RoadSegment:1",
        "observedAt": "2026-11-22T09:00:00Z",
        "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Person:Ann"},
    }


async def test_6_7_3_1_datasetid_in_the_fragment_selects_the_instance(
    client: httpx.AsyncClient,
) -> None:
    """5.6.4: the fragment's datasetId names the instance to update; a datasetId that is not a
    URI is 400 BadRequestData and changes nothing."""
    await create(client, vehicle())
    fragment = ld({"value": 56, "datasetId": SPEEDOMETER})
    response = await client.patch(f"{ATTRS}/speed", json=fragment, headers=LD)
    assert response.status_code == 204, response.text
    bad = await client.patch(
        f"{ATTRS}/speed", json=ld({"value": 1, "datasetId": "not a uri"}), headers=LD
    )
    assert_problem(bad, 400, "BadRequestData")
    speeds = {s["datasetId"]: s["value"] for s in (await fetch(client))["speed"]}
    assert speeds == {SPEEDOMETER: 56, GPS: 54.5}


async def test_6_7_3_1_language_property_is_partially_updated(client: httpx.AsyncClient) -> None:
    """5.6.4 with a LanguageProperty (4.5.18): the fragment's languageMap replaces the map."""
    await create(client, vehicle())
    fragment = ld({"type": "LanguageProperty", "languageMap": {"ja": "本町通り"}})
    response = await client.patch(f"{ATTRS}/street", json=fragment, headers=LD)
    assert response.status_code == 204, response.text
    assert (await fetch(client))["street"] == {
        "type": "LanguageProperty",
        "languageMap": {"ja": "本町通り"},
    }


@pytest.mark.parametrize(
    ("entity_id", "attribute", "fragment"),
    [
        ("urn:ngsi-ld:CrowdFlowObserved:unknown", "speed", {"value": 1}),
        (SENSOR_ID, "speed", {"value": 1}),  # no default instance, no datasetId given
        (SENSOR_ID, "speed", {"value": 1, "datasetId": "urn:ngsi-ld:Dataset:radar"}),
        (SENSOR_ID, "temperature", {"value": 1}),
    ],
    ids=["unknown-entity", "no-default-instance", "unknown-datasetid", "unknown-attribute"],
)
async def test_6_7_3_1_missing_entity_attribute_or_instance_is_resource_not_found(
    client: httpx.AsyncClient, entity_id: str, attribute: str, fragment: dict[str, Any]
) -> None:
    """5.6.4: an unknown entity, attribute, or instance (datasetId) is 404 ResourceNotFound."""
    await create(client, vehicle())
    response = await client.patch(
        f"{ENTITIES}/{entity_id}/attrs/{attribute}", json=ld(fragment), headers=LD
    )
    assert_problem(response, 404, "ResourceNotFound")


async def test_6_7_3_1_type_selector_gates_the_update_and_scope_is_not_an_attribute(
    client: httpx.AsyncClient,
) -> None:
    """5.6.4 (V1.9): a `type` that the entity does not have is 404 ResourceNotFound and
    changes nothing; its own type is 204. Scope cannot be partially updated: 400."""
    await create(client, vehicle())
    wrong = await client.patch(
        f"{ATTRS}/congested", params={"type": "Vehicle"}, json={"value": True}, headers=headers()
    )
    assert_problem(wrong, 404, "ResourceNotFound")
    assert (await fetch(client))["congested"]["value"] is False
    right = await client.patch(
        f"{ATTRS}/congested",
        params={"type": "CrowdFlowObserved"},
        json={"value": True},
        headers=headers(),
    )
    assert right.status_code == 204, right.text
    assert (await fetch(client))["congested"]["value"] is True
    scope = await client.patch(f"{ATTRS}/scope", json={"value": "/Tokyo"}, headers=headers())
    assert_problem(scope, 400, "BadRequestData")
    assert (await fetch(client))["scope"] == "/Kanagawa/Yokohama"


@pytest.mark.parametrize(
    ("params", "left"),
    [
        ({"deleteAll": "false"}, [GPS, SPEEDOMETER]),  # no default instance: 404, see below
        ({"datasetId": GPS, "deleteAll": "false"}, [SPEEDOMETER]),
        ({"deleteAll": "true"}, []),
    ],
    ids=["default", "datasetid", "deleteall"],
)
async def test_6_7_3_2_delete_with_the_headers_standard_clients_send(
    client: httpx.AsyncClient, params: dict[str, str], left: list[str]
) -> None:
    """6.7.3.2 / 5.6.5: with Content-Type and Link headers and deleteAll=false, DELETE removes
    the default instance, the one named by datasetId, or all (deleteAll=true): 204."""
    await create(client, vehicle())
    response = await client.delete(f"{ATTRS}/speed", params=params, headers=DELETE_HEADERS)
    if not params.get("datasetId") and params["deleteAll"] == "false":
        assert_problem(response, 404, "ResourceNotFound")
    else:
        assert response.status_code == 204, response.text
        assert not response.content
    speeds = (await fetch(client)).get("speed", [])
    speeds = speeds if isinstance(speeds, list) else [speeds]
    assert sorted(s["datasetId"] for s in speeds) == left
    for attribute in ("refRoadSegment", "street"):  # a Relationship, a LanguageProperty
        gone = await client.delete(f"{ATTRS}/{attribute}", headers=DELETE_HEADERS)
        assert gone.status_code == 204, gone.text
        assert attribute not in await fetch(client)
    # scope is deletable through Delete Attribute (5.6.5, V1.9)
    scope = await client.delete(f"{ATTRS}/scope", headers=DELETE_HEADERS)
    assert scope.status_code == 204, scope.text
    assert "scope" not in await fetch(client)
    again = await client.delete(f"{ATTRS}/scope", headers=DELETE_HEADERS)
    assert_problem(again, 404, "ResourceNotFound")


async def test_6_7_3_2_type_selector_gates_the_delete(client: httpx.AsyncClient) -> None:
    """5.6.5 (V1.9): a `type` the entity does not have is 404 and deletes nothing."""
    await create(client, vehicle())
    wrong = await client.delete(f"{ATTRS}/congested", params={"type": "Vehicle"})
    assert_problem(wrong, 404, "ResourceNotFound")
    assert "congested" in await fetch(client)
    right = await client.delete(f"{ATTRS}/congested", params={"type": "CrowdFlowObserved"})
    assert right.status_code == 204, right.text
    assert "congested" not in await fetch(client)


async def test_6_7_3_partial_update_and_delete_notify_subscribers_and_are_audited(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """5.6.4 / 5.6.5: both are changes of the entity like any other: subscriptions watching
    the attribute are notified (clause 5.8) and the audit log records the write."""
    await create(client, vehicle(), tenant="yokohama")
    with receiver() as target:
        body = {"watchedAttributes": ["refRoadSegment"]}
        response = await client.post(
            "/ngsi-ld/v1/subscriptions",
            json={
                "type": "Subscription",
                "entities": [{"type": "CrowdFlowObserved"}],
                "notification": {"endpoint": {"uri": target.url}},
                **body,
            },
            headers=headers("yokohama"),
        )
        assert response.status_code == 201, response.text
        fragment = ld({"object": "urn:ngsi-ld:RoadSegment:9"})
        patched = await client.patch(
            f"{ATTRS}/refRoadSegment", json=fragment, headers={**LD, "NGSILD-Tenant": "yokohama"}
        )
        assert patched.status_code == 204, patched.text

        async def notified() -> bool | None:
            objects = [e.get("refRoadSegment", {}).get("object") for e in target.entities()]
            return True if "urn:ngsi-ld:RoadSegment:9" in objects else None

        assert await eventually(notified, 10.0)
    deleted = await client.delete(f"{ATTRS}/scope", headers=headers("yokohama"))
    assert deleted.status_code == 204, deleted.text
    await sealed(app)  # the audit worker may have moved the rows on from the inbox already
    rows = await audit_rows(
        app, "SELECT method, status FROM audit_records WHERE tenant_id = 'yokohama'"
    )
    writes = [(r["method"], r["status"]) for r in rows]
    assert ("PATCH", 204) in writes and ("DELETE", 204) in writes


async def test_6_7_3_attribute_named_by_its_full_iri_is_updated_and_deleted(
    client: httpx.AsyncClient,
) -> None:
    """6.7.3: {attrId} is the attribute's name, which may be its expanded IRI (slashes and
    all, percent-encoded or not): the attribute routes take it, not Merge or Delete Entity."""
    iri = "https://example.org/ns/speedLimit"
    await create(client, people_flow(**{iri: {"type": "Property", "value": 50}}))
    encoded = iri.replace(":", "%3A").replace("/", "%2F")
    response = await client.patch(f"{ATTRS}/{encoded}", json={"value": 40}, headers=headers())
    assert response.status_code == 204, response.text
    assert (await fetch(client))[iri]["value"] == 40
    response = await client.delete(f"{ATTRS}/{iri}", headers=headers())
    assert response.status_code == 204, response.text
    entity = await fetch(client)
    assert iri not in entity and entity["peopleCount"]["value"] == 120


async def test_6_7_3_another_tenants_entity_is_not_found_and_keeps_its_scope(
    client: httpx.AsyncClient,
) -> None:
    """6.7.3.1 / 6.7.3.2 with NGSILD-Tenant (clause 6.3.14): another tenant's entity is 404."""
    await create(client, vehicle(), tenant="yokohama")
    deleted = await client.delete(f"{ATTRS}/scope", headers=headers("kawasaki"))
    assert_problem(deleted, 404, "ResourceNotFound")
    patched = await client.patch(
        f"{ATTRS}/refRoadSegment",
        json=ld({"object": "urn:ngsi-ld:RoadSegment:7"}),
        headers={**LD, "NGSILD-Tenant": "kawasaki"},
    )
    assert_problem(patched, 404, "ResourceNotFound")
    entity = await fetch(client, tenant="yokohama")
    assert entity["scope"] == "/Kanagawa/Yokohama"
    assert entity["refRoadSegment"]["object"] == "urn:ngsi-ld:RoadSegment:1"
