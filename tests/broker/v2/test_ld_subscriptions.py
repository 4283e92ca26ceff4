"""An NGSI-LD subscription fires for writes through the v2 face (a real receiver on loopback)."""

import httpx

from tests.broker.subscriptions.helpers import received, receiver, subscribe
from tests.broker.v2.helpers import JSON, create, room


async def test_ld_subscription_is_notified_of_v2_writes(client: httpx.AsyncClient) -> None:
    with receiver() as target:
        await subscribe(client, target.url, entities=[{"type": "Room"}])
        await create(client, room())
        patch = {"temperature": {"type": "Number", "value": 30}}
        response = await client.patch("/v2/entities/Room1/attrs", json=patch, headers=JSON)
        assert response.status_code == 204
        notifications = await received(target, 2)
    entities = [e for n in notifications for e in n["data"]]
    assert {e["id"] for e in entities} == {"urn:ngsi-ld:Room:Room1"}
    assert sorted(e["temperature"]["value"] for e in entities) == [23.5, 30]
