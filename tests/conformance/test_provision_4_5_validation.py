"""Clauses 4.5, 4.6, 4.18 and 5.6.1: what Create Entity refuses (400 BadRequestData) and what it
must still accept, as ETSI's conformance suite sends them (Provision/Entities/CreateEntity
cases 402, 408, 418, 451-455, 463, 465, 471, 4522, 4524, 521, 554). A refused entity is not
stored.
"""

from typing import Any

import httpx
import pytest

from tests.broker.entities.helpers import ENTITIES, assert_problem, headers

E = "urn:ngsi-ld:Vehicle:V1"
NULL = "urn:ngsi-ld:null"


def vehicle(**attributes: Any) -> dict[str, Any]:
    return {"id": E, "type": "Vehicle", **attributes}


def speed(**members: Any) -> dict[str, Any]:
    return vehicle(speed={"type": "Property", "value": 1, **members})


def parked(**members: Any) -> dict[str, Any]:
    return vehicle(
        isParked={"type": "Relationship", "object": "urn:ngsi-ld:OffStreetParking:1", **members}
    )


REFUSED = {
    # 4.5.2 / 4.5.3: members of another attribute type, and members only the broker writes
    "Property with previousValue (output only)": speed(previousValue=0),
    "Property with entityIdSealed outside a proof": speed(entityIdSealed=True),
    "Property with object": speed(object="urn:ngsi-ld:Other:1"),
    "Property with valueList": speed(valueList=[1, 2]),
    "Relationship with previousObject (output only)": parked(previousObject="urn:ngsi-ld:O:0"),
    "Relationship with unitCode": parked(unitCode="MTR"),
    "Relationship with value": parked(value=42),
    "ListProperty with value": vehicle(l={"type": "ListProperty", "valueList": [1.2], "value": 3}),
    "JsonProperty with unitCode": vehicle(
        j={"type": "JsonProperty", "json": {"a": 1}, "unitCode": "MTR"}
    ),
    "JsonProperty json a scalar": vehicle(j={"type": "JsonProperty", "json": 5}),
    # 4.5.1: core members are not attribute names
    "attribute named datasetId": vehicle(datasetId={"type": "Property", "value": 1}),
    "attribute named observedAt": vehicle(observedAt={"type": "Property", "value": 1}),
    "attribute named previousValue": vehicle(previousValue={"type": "Property", "value": 1}),
    # 4.6.3: DateTime in UTC with Z
    "observedAt with an offset": speed(observedAt="2026-08-10T12:00:00+02:00"),
    "observedAt without a zone": speed(observedAt="2026-08-10T12:00:00"),
    "observedAt reified": speed(observedAt={"type": "Property", "value": "2026-08-10T12:00:00Z"}),
    # 4.5.5: one default instance (no datasetId, or "@none")
    "two default instances, one named @none": vehicle(
        speed=[
            {"type": "Property", "value": 55},
            {"type": "Property", "value": 11, "datasetId": "@none"},
        ]
    ),
    # 4.7: location, observationSpace, operationSpace are GeoProperties
    "location as a Property": vehicle(location={"type": "Property", "value": 7}),
    "observationSpace as a Property": vehicle(observationSpace=7),
    "GeometryCollection": vehicle(
        location={"type": "GeoProperty", "value": {"type": "GeometryCollection", "geometries": []}}
    ),
    # 4.5.0: NGSI-LD Null deletes only in merges, never in a created value
    "null nested in a value": speed(value={"country": NULL}),
    "null nested two levels down": speed(value={"address": {"country": NULL}}),
    "null in a languageMap": vehicle(
        l={"type": "LanguageProperty", "languageMap": {"@none": NULL}}
    ),
    "NGSI-LD Null as the entity id": {"id": NULL, "type": "Vehicle"},
    # 4.18: a scope is non-empty levels of names
    "scope with an empty level": vehicle(scope="/a//b"),
    "scope ending in a slash": vehicle(scope="/Kanagawa/"),
    "scope NGSI-LD Null": vehicle(scope=NULL),
    "scope not a path": vehicle(scope=["/ok", "9bad"]),
}

ACCEPTED = {
    # and the controls, which must still be created, read back as noted
    "Property with valueType": (
        speed(valueType="xsd:double"),
        lambda e: e["speed"]["value"] == 1,
    ),
    "Relationship with objectType": (
        parked(objectType="OffStreetParking"),
        lambda e: e["isParked"]["objectType"] == "OffStreetParking",
    ),
    "datasetId @none names the default instance": (
        vehicle(
            speed=[
                {"type": "Property", "value": 55, "datasetId": "@none"},
                {"type": "Property", "value": 11, "datasetId": "urn:ngsi-ld:Dataset:a"},
            ]
        ),
        lambda e: {i.get("datasetId") for i in e["speed"]} == {None, "urn:ngsi-ld:Dataset:a"},
    ),
    "geometry JSON-encoded in a string": (
        vehicle(location={"type": "GeoProperty", "value": '{"type":"Point","coordinates":[1,2]}'}),
        lambda e: e["location"]["value"] == {"type": "Point", "coordinates": [1, 2]},
    ),
    "observedAt in UTC with Z, as given": (
        speed(observedAt="2022-03-14T13:00:00.000Z"),
        lambda e: e["speed"]["observedAt"] == "2022-03-14T13:00:00.000Z",
    ),
    "scope of three levels": (
        vehicle(scope="/Madrid/Gardens/ParqueNorte"),
        lambda e: e["scope"] == "/Madrid/Gardens/ParqueNorte",
    ),
    "non-ASCII type and attribute names": (
        {"id": E, "type": "Škola", "výška_1": 1},
        lambda e: e["výška_1"]["value"] == 1,
    ),
}


@pytest.mark.parametrize("entity", REFUSED.values(), ids=REFUSED.keys())
async def test_create_refuses(client: httpx.AsyncClient, entity: dict[str, Any]) -> None:
    response = await client.post(ENTITIES, json=entity, headers=headers())
    assert_problem(response, 400, "BadRequestData")
    assert (await client.get(f"{ENTITIES}/{entity['id']}", headers=headers())).status_code in (
        400,
        404,
    )


@pytest.mark.parametrize(("entity", "check"), ACCEPTED.values(), ids=ACCEPTED.keys())
async def test_create_accepts(
    client: httpx.AsyncClient, entity: dict[str, Any], check: Any
) -> None:
    response = await client.post(ENTITIES, json=entity, headers=headers())
    assert response.status_code == 201, response.text
    stored = (await client.get(f"{ENTITIES}/{entity['id']}", headers=headers())).json()
    assert check(stored), stored
    assert "@none" not in str(stored)


async def test_partial_update_refuses_a_nested_null_that_merge_applies(
    client: httpx.AsyncClient,
) -> None:
    """554_01_03/04: PATCH .../attrs/address with a nested Null is refused; the same fragment
    through Merge Entity deletes the key."""
    address = {"type": "Property", "value": {"country": "JP", "city": "Yokohama"}}
    assert (
        await client.post(ENTITIES, json=vehicle(address=address), headers=headers())
    ).status_code == 201
    fragment = {"value": {"country": NULL}}
    patched = await client.patch(f"{ENTITIES}/{E}/attrs/address", json=fragment, headers=headers())
    assert_problem(patched, 400, "BadRequestData")
    merged = await client.patch(f"{ENTITIES}/{E}", json={"address": fragment}, headers=headers())
    assert merged.status_code == 204, merged.text
    stored = (await client.get(f"{ENTITIES}/{E}", headers=headers())).json()
    assert stored["address"]["value"] == {"city": "Yokohama"}


async def test_partial_update_of_the_default_instance_named_none(client: httpx.AsyncClient) -> None:
    """4.5.5: "@none" names the default instance in a fragment too."""
    assert (await client.post(ENTITIES, json=speed(), headers=headers())).status_code == 201
    patched = await client.patch(
        f"{ENTITIES}/{E}/attrs/speed", json={"value": 9, "datasetId": "@none"}, headers=headers()
    )
    assert patched.status_code == 204, patched.text
    stored = (await client.get(f"{ENTITIES}/{E}", headers=headers())).json()
    assert stored["speed"]["value"] == 9 and "datasetId" not in stored["speed"]
