"""POST/GET/PATCH/DELETE /subscriptions (clauses 6.10, 6.11): validation, paging, tenancy."""

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from broker.subscriptions.models import Subscription
from tests.broker.subscriptions.helpers import SUBSCRIPTIONS, headers, subscribe, subscription

URI = "http://127.0.0.1:9/notify"


async def test_created_subscription_is_retrieved_with_its_status(
    client: httpx.AsyncClient,
) -> None:
    subscription_id = await subscribe(
        client, URI, id="urn:ngsi-ld:Subscription:s1", q="peopleCount>10"
    )
    assert subscription_id == "urn:ngsi-ld:Subscription:s1"
    response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == subscription_id
    assert body["type"] == "Subscription"
    assert body["q"] == "peopleCount>10"
    assert body["status"] == "active"
    assert body["isActive"] is True
    assert body["notification"]["timesSent"] == 0
    assert body["notification"]["status"] == "ok"
    assert body["notification"]["endpoint"]["uri"] == URI


async def test_subscription_without_id_gets_one(client: httpx.AsyncClient) -> None:
    subscription_id = await subscribe(client, URI)
    assert subscription_id.startswith("urn:ngsi-ld:Subscription:")


async def test_duplicate_subscription_id_is_409(client: httpx.AsyncClient) -> None:
    await subscribe(client, URI, id="urn:ngsi-ld:Subscription:dup")
    response = await client.post(
        SUBSCRIPTIONS, json=subscription(URI, id="urn:ngsi-ld:Subscription:dup"), headers=headers()
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("AlreadyExists")


async def test_invalid_subscriptions_are_400_bad_request_data(client: httpx.AsyncClient) -> None:
    invalid = [
        subscription(URI, type="Entity"),
        subscription(URI, entities=None),
        subscription("ftp://example.org/x"),
        subscription("mqtt://127.0.0.1:1883"),
        subscription(URI, q="peopleCount>>"),
        subscription(URI, notificationTrigger=["entityExploded"]),
        subscription(URI, throttling=-1),
        subscription(URI, expiresAt="2001-01-01T00:00:00Z"),
        subscription(URI, timeInterval=10, watchedAttributes=["peopleCount"]),
        subscription(URI, notification={"endpoint": {"uri": URI}, "format": "fancy"}),
        subscription(URI, entities=[{"idPattern": "("}]),
        subscription(URI, geoQ={"georel": "near;maxDistance==10", "geometry": "Point"}),
        subscription("http://example.org:99999/notify"),
        subscription("http://example.org:abc/notify"),
        *(
            subscription(URI, notification={"endpoint": {"uri": URI, "receiverInfo": [info]}})
            for info in (
                {"key": "X-Token", "value": "a\r\nX-Injected: 1"},
                {"key": "Bad Header", "value": "x"},
                {"key": "NGSILD-Tenant", "value": "kawasaki"},
                {"key": "Content-Type", "value": "text/plain"},
            )
        ),
    ]
    for body in invalid:
        response = await client.post(SUBSCRIPTIONS, json=body, headers=headers())
        assert response.status_code == 400, (body, response.text)
        assert response.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


async def test_subscriptions_are_listed_in_pages_with_a_count(client: httpx.AsyncClient) -> None:
    for n in range(5):
        await subscribe(client, URI, id=f"urn:ngsi-ld:Subscription:p{n}")
    response = await client.get(
        SUBSCRIPTIONS, params={"limit": 2, "offset": 1, "count": "true"}, headers=headers()
    )
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [
        "urn:ngsi-ld:Subscription:p1",
        "urn:ngsi-ld:Subscription:p2",
    ]
    assert response.headers["NGSILD-Results-Count"] == "5"


async def test_patch_pauses_and_changes_a_subscription(client: httpx.AsyncClient) -> None:
    subscription_id = await subscribe(client, URI)
    response = await client.patch(
        f"{SUBSCRIPTIONS}/{subscription_id}",
        json={"isActive": False, "q": "congested==true"},
        headers=headers(),
    )
    assert response.status_code == 204, response.text
    body = (await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())).json()
    assert body["status"] == "paused"
    assert body["q"] == "congested==true"
    assert body["entities"] == [{"type": "CrowdFlowObserved"}]


async def test_patch_with_invalid_fragment_is_400_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    subscription_id = await subscribe(client, URI)
    response = await client.patch(
        f"{SUBSCRIPTIONS}/{subscription_id}", json={"q": "((("}, headers=headers()
    )
    assert response.status_code == 400
    body = (await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())).json()
    assert "q" not in body


async def test_deleted_subscription_is_not_found(client: httpx.AsyncClient) -> None:
    subscription_id = await subscribe(client, URI)
    response = await client.delete(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
    assert response.status_code == 204
    response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
    assert response.status_code == 404
    response = await client.delete(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
    assert response.status_code == 404


async def test_subscription_of_other_tenant_is_not_found(client: httpx.AsyncClient) -> None:
    subscription_id = await subscribe(client, URI)
    other = headers("yokohama")
    assert (
        await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=other)
    ).status_code == 404
    assert (await client.get(SUBSCRIPTIONS, headers=other)).json() == []
    response = await client.patch(
        f"{SUBSCRIPTIONS}/{subscription_id}", json={"isActive": False}, headers=other
    )
    assert response.status_code == 404


async def test_expired_subscription_shows_expired(app: FastAPI, client: httpx.AsyncClient) -> None:
    subscription_id = await subscribe(client, URI, expiresAt="2999-01-01T00:00:00Z")
    async with app.state.db.transaction() as session:
        await session.execute(
            update(Subscription)
            .where(Subscription.id == subscription_id)
            .values(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    body = (await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())).json()
    assert body["status"] == "expired"


async def test_an_expired_subscription_can_be_changed_and_renewed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    subscription_id = await subscribe(client, URI, expiresAt="2999-01-01T00:00:00Z")
    async with app.state.db.transaction() as session:
        row = await session.scalar(select(Subscription).where(Subscription.id == subscription_id))
        assert row is not None
        row.document = {**row.document, "expiresAt": "2020-01-01T00:00:00Z"}
        row.expires_at = datetime(2020, 1, 1, tzinfo=UTC)
    url = f"{SUBSCRIPTIONS}/{subscription_id}"

    async def patch(fragment: dict[str, object]) -> int:
        return (await client.patch(url, json=fragment, headers=headers())).status_code

    assert await patch({"notification": {"format": "keyValues"}}) == 204
    assert (await client.get(url, headers=headers())).json()["status"] == "expired"
    assert await patch({"expiresAt": "2021-01-01T00:00:00Z"}) == 400
    assert await patch({"expiresAt": "2999-01-01T00:00:00Z"}) == 204
    assert (await client.get(url, headers=headers())).json()["status"] == "active"
