"""Discovery of entity types and attributes (clauses 5.7.5 to 5.7.10)."""

import httpx

from tests.broker.entities.helpers import assert_problem, headers

V1 = "/ngsi-ld/v1"
DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"


async def test_types_and_attributes(client: httpx.AsyncClient, dataset: None) -> None:
    types = (await client.get(f"{V1}/types")).json()
    assert types["type"] == "EntityTypeList"
    assert types["typeList"] == ["CrowdFlowObserved", "Device", "ParkingSpot"]
    details = (await client.get(f"{V1}/types", params={"details": "true"})).json()
    parking = next(t for t in details if t["typeName"] == "ParkingSpot")
    assert parking == {
        "id": DEFAULT + "ParkingSpot",
        "type": "EntityType",
        "typeName": "ParkingSpot",
        "attributeNames": ["location", "name", "occupancy"],
    }
    info = (await client.get(f"{V1}/types/CrowdFlowObserved")).json()
    assert info["entityCount"] == 3
    kinds = {a["attributeName"]: a["attributeTypes"] for a in info["attributeDetails"]}
    assert kinds["refRoadSegment"] == ["Relationship"]
    assert kinds["location"] == ["GeoProperty"]


async def test_attribute_list_and_details(client: httpx.AsyncClient, dataset: None) -> None:
    listing = (await client.get(f"{V1}/attributes")).json()
    assert listing["type"] == "AttributeList"
    assert "peopleCount" in listing["attributeList"]
    people = (await client.get(f"{V1}/attributes/peopleCount")).json()
    assert people == {
        "id": DEFAULT + "peopleCount",
        "type": "Attribute",
        "attributeName": "peopleCount",
        "attributeCount": 4,
        "attributeTypes": ["Property"],
        "typeNames": ["CrowdFlowObserved", "Device"],
    }
    details = (await client.get(f"{V1}/attributes", params={"details": "true"})).json()
    assert {d["attributeName"] for d in details} >= {"peopleCount", "occupancy"}


async def test_unknown_type_or_attribute_is_not_found(
    client: httpx.AsyncClient, dataset: None
) -> None:
    assert_problem(await client.get(f"{V1}/types/Nothing"), 404, "ResourceNotFound")
    assert_problem(await client.get(f"{V1}/attributes/nothing"), 404, "ResourceNotFound")


async def test_discovery_sees_only_its_tenant(client: httpx.AsyncClient, dataset: None) -> None:
    await client.post(
        f"{V1}/entities",
        json={"id": "urn:a:1", "type": "Bus", "speed": 3},
        headers=headers("kawasaki"),
    )
    types = (await client.get(f"{V1}/types", headers=headers("kawasaki"))).json()
    assert types["typeList"] == ["Bus"]
    assert (await client.get(f"{V1}/attributes", headers=headers("kawasaki"))).json()[
        "attributeList"
    ] == ["speed"]
    assert "Bus" not in (await client.get(f"{V1}/types")).json()["typeList"]
