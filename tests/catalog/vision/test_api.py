"""The vision API: entries stored as broker entities in the shared tenant, derived fields,
survey years kept, validation, who may edit which entry, notifications on changes."""

import httpx
from fastapi import FastAPI

from auth import scopes
from broker.jsonld.context import CORE_CONTEXT_URL
from catalog.vision.entities import CONTEXT_DOCUMENT
from tests.auth.helpers import register_tenant
from tests.broker.subscriptions.helpers import SUBSCRIPTIONS, received, receiver
from tests.catalog.vision.helpers import BASES, answer, create, member_of

ENTRY = "urn:ngsi-ld:DataLinkageBase:yokohama:city-os:2026"
ENTITIES = "/ngsi-ld/v1/entities"
BASE_IRI = "https://w3id.org/renkei/vision#DataLinkageBase"


async def test_an_entry_is_classified_and_kept_as_a_broker_entity_of_the_shared_tenant(
    client: httpx.AsyncClient,
) -> None:
    created = await create(client)
    assert created["id"] == ENTRY
    assert (created["currentType"], created["targetType"]) == ("1.3", "2.4")
    assert created["migrationPattern"] == "B"
    assert [t["task"] for t in created["taskChecklist"]] == [
        "widerUsers",
        "joiningAuthorization",
        "commonTerms",
        "costShareAgreement",
    ]
    assert created["taskChecklist"][0]["label"] == "利用者範囲の拡大"
    assert created["connectedServices"] == 2
    assert created["costPerServiceYen"] == 15000000
    assert created["dataMap"][0]["content"] == "駅前の人流"
    response = await client.get(f"{ENTITIES}/{ENTRY}", headers={"NGSILD-Tenant": "shared"})
    assert response.status_code == 200, response.text
    entity = response.json()
    assert entity["type"] == BASE_IRI
    assert entity[BASE_IRI.replace("DataLinkageBase", "vendor")]["value"] == "みなとシステムズ"
    assert (await client.get(f"{BASES}/{ENTRY}")).json() == created


async def test_each_survey_year_is_its_own_entry_and_earlier_years_stay(
    client: httpx.AsyncClient,
) -> None:
    await create(client, surveyYear=2025, annualCostYen=40000000)
    await create(client)
    listed = (await client.get(BASES)).json()
    assert [(e["surveyYear"], e["annualCostYen"]) for e in listed] == [
        (2025, 40000000),
        (2026, 30000000),
    ]
    only = (await client.get(BASES, params={"surveyYear": 2025})).json()
    assert [e["surveyYear"] for e in only] == [2025]
    assert (await client.get(BASES, params={"municipality": "kawasaki"})).json() == []


async def test_replacing_an_entry_rederives_its_fields_and_its_data_map(
    client: httpx.AsyncClient,
) -> None:
    await create(client, dataMap=[answer()["dataMap"][0]] * 2)
    changed = answer(
        policy="moveToPrefecture", tasksDone=["assetMigration"], dataMap=[], services=[]
    )
    response = await client.put(f"{BASES}/{ENTRY}", json=changed)
    assert response.status_code == 200, response.text
    entry = response.json()
    assert entry["migrationPattern"] == "D"
    assert entry["taskChecklist"][0] == {
        "task": "assetMigration",
        "label": "データ資産の移行",
        "done": True,
    }
    assert entry["dataMap"] == []
    assert entry["costPerServiceYen"] == 30000000
    for n in (1, 2):
        asset = ENTRY.replace("DataLinkageBase", "DataAsset") + f":{n}"
        gone = await client.get(f"{ENTITIES}/{asset}", headers={"NGSILD-Tenant": "shared"})
        assert gone.status_code == 404, gone.text


async def test_an_entry_cannot_be_renamed_by_a_replace(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.put(f"{BASES}/{ENTRY}", json=answer(code="other"))
    assert response.status_code == 400, response.text


async def test_the_same_base_and_year_twice_is_a_conflict(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post(BASES, json=answer())
    assert response.status_code == 409, response.text


async def test_values_outside_the_guidebooks_enumerations_are_refused_and_nothing_stored(
    client: httpx.AsyncClient,
) -> None:
    bad = [
        answer(serviceProvisionScheme="municipal"),
        answer(personalBases="3"),
        answer(brokerDataManagement="internal"),
        answer(tasksDone=["idMatching"]),  # pattern B's checklist has no ID matching
        answer(municipality="nowhere"),  # not a registered municipality
        answer(municipality="shared"),  # a tenant, but not a municipality
        # a town without a base cannot integrate several (2.5-2.8)
        answer(nonPersonalBases="0", personalBases="0", targetBaseCount="multiple"),
        # joining the prefecture's base leads to 2.4 or 2.8, not to one authority's 2.3
        answer(policy="moveToPrefecture", targetUserScope="withinMunicipality"),
    ]
    for body in bad:
        response = await client.post(BASES, json=body)
        assert response.status_code == 400, body
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(BASES)).json() == []


async def test_routes_need_a_token(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get(BASES)).status_code == 401
    assert (await anonymous.get(f"{BASES}/{ENTRY}")).status_code == 401
    assert (await anonymous.post(BASES, json=answer())).status_code == 401
    assert (await anonymous.put(f"{BASES}/{ENTRY}", json=answer())).status_code == 401
    assert (await anonymous.get("/vision/vocabulary")).status_code == 401
    context = await anonymous.get("/vision/context.jsonld")
    assert context.json() == CONTEXT_DOCUMENT


async def test_routes_need_their_scope(client: httpx.AsyncClient, app: FastAPI) -> None:
    await create(client)
    no_vision = await member_of(client, app, "yokohama", scope=[scopes.READ, scopes.WRITE])
    for response in (
        await client.get(BASES, headers=no_vision),
        await client.get(f"{BASES}/{ENTRY}", headers=no_vision),
        await client.get("/vision/vocabulary", headers=no_vision),
    ):
        assert response.status_code == 403, response.text
    auditor = await member_of(client, app, "yokohama", scope=[scopes.VISION_READ])
    assert (await client.get(f"{BASES}/{ENTRY}", headers=auditor)).status_code == 200
    vocabulary = (await client.get("/vision/vocabulary", headers=auditor)).json()
    assert vocabulary["enumerations"]["scheme"]["municipalityAndPrivate"] == "自治体と民間"
    assert (await client.post(BASES, json=answer(), headers=auditor)).status_code == 403
    put = await client.put(f"{BASES}/{ENTRY}", json=answer(), headers=auditor)
    assert put.status_code == 403


async def test_a_municipal_admin_edits_only_its_own_municipalitys_entries(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    kawasaki = await member_of(client, app, "kawasaki")
    yokohama = await member_of(client, app, "yokohama")
    response = await client.post(BASES, json=answer(), headers=kawasaki)
    assert response.status_code == 403, response.text
    assert (await client.post(BASES, json=answer(), headers=yokohama)).status_code == 201
    changed = answer(name="改名")
    put = await client.put(f"{BASES}/{ENTRY}", json=changed, headers=kawasaki)
    assert put.status_code == 403, put.text
    assert (await client.get(f"{BASES}/{ENTRY}", headers=kawasaki)).json()["name"] == "横浜市都市OS"
    own = await client.post(BASES, json=answer(municipality="kawasaki"), headers=kawasaki)
    assert own.status_code == 201, own.text


async def test_a_prefecture_admin_edits_every_municipalitys_entries(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await register_tenant(app, "kanagawa", kind="prefecture")
    prefecture = await member_of(client, app, "kanagawa")
    response = await client.post(BASES, json=answer(), headers=prefecture)
    assert response.status_code == 201, response.text
    put = await client.put(f"{BASES}/{ENTRY}", json=answer(name="県が更新"), headers=prefecture)
    assert put.json()["name"] == "県が更新"


async def test_a_subscriber_is_notified_when_an_entry_changes(client: httpx.AsyncClient) -> None:
    await create(client)
    with receiver() as target:
        subscription = {
            "type": "Subscription",
            "entities": [{"type": "DataLinkageBase"}],
            "watchedAttributes": ["annualCostYen"],
            "notification": {"endpoint": {"uri": target.url}, "format": "keyValues"},
            "@context": [CONTEXT_DOCUMENT["@context"], CORE_CONTEXT_URL],
        }
        response = await client.post(
            SUBSCRIPTIONS,
            json=subscription,
            headers={"NGSILD-Tenant": "shared", "Content-Type": "application/ld+json"},
        )
        assert response.status_code == 201, response.text
        put = await client.put(f"{BASES}/{ENTRY}", json=answer(annualCostYen=36000000))
        assert put.status_code == 200, put.text
        (notification,) = await received(target)
    (entity,) = notification["data"]
    assert entity["id"] == ENTRY
    assert entity["annualCostYen"] == 36000000
