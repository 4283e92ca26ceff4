"""Delivery guarantees with real receivers: retries, isolation, failure status, crashed workers,
several workers at once."""

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

import broker.subscriptions.delivery_service as deliveries
from broker.core.app import create_app
from broker.subscriptions.models import OutboxRow
from connectors.notify.worker import Notifier
from tests.broker.subscriptions.helpers import (
    SUBSCRIPTIONS,
    another,
    create_entity,
    eventually,
    headers,
    received,
    receiver,
    running,
    set_count,
    subscribe,
    subscription,
)
from tests.conftest import make_auth, make_settings
from tests.servers import free_port, serve

DEFAULT_CONTEXT = "https://uri.etsi.org/ngsi-ld/default-context/"
LINK_REL = "http://www.w3.org/ns/json-ld#context"


async def test_receiver_down_then_up_gets_the_notification_after_a_retry(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    port = free_port()
    subscription_id = await subscribe(client, f"http://127.0.0.1:{port}/notify")
    await set_count(client, 808)

    async def failed_once() -> bool:
        response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
        return bool(response.json()["notification"].get("timesFailed"))

    await eventually(failed_once)
    with receiver(port) as target:
        (notification,) = await received(target, within=15)
        assert notification["data"][0]["peopleCount"]["value"] == 808

    async def sent() -> dict[str, Any] | None:
        response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
        notification = response.json()["notification"]
        return notification if notification["timesSent"] == 1 else None

    notification = await eventually(sent)
    assert notification["timesFailed"] >= 1
    assert notification["status"] == "ok"


async def test_consecutive_failures_show_in_the_subscription_status(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as target:
        target.status = 500
        subscription_id = await subscribe(client, target.url)
        await set_count(client, 1)

        async def failed() -> dict[str, Any] | None:
            response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers())
            notification = response.json()["notification"]
            return notification if notification["status"] == "failed" else None

        notification = await eventually(failed, within=20)
        assert notification["timesFailed"] >= 3
        assert "lastFailure" in notification


async def test_a_hanging_receiver_does_not_delay_other_subscriptions(
    client: httpx.AsyncClient,
) -> None:
    await create_entity(client)
    with receiver() as hanging, receiver() as healthy:
        hanging.hanging = True
        await subscribe(client, hanging.url)
        await subscribe(client, healthy.url)
        latencies = []
        for value in range(1, 11):  # more updates than the hanging endpoint has slots
            started = time.monotonic()
            await set_count(client, value)
            await received(healthy, value)
            latencies.append(time.monotonic() - started)
        assert hanging.notifications == []
        assert max(latencies) < 2.0, latencies


async def test_rows_of_a_worker_killed_between_claim_and_send_are_delivered_after_the_lease(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        await set_count(client, 4242)
        db = app.state.db
        async with db.transaction() as session:  # the first worker claims, then dies
            now = datetime.now(UTC)
            rows = await deliveries.due(session, now=now, limit=10, skip=[])
            assert len(rows) == 1
            await deliveries.claim(session, rows, now=now, lease=1.5)
        async with running(another(own_workers)):
            await asyncio.sleep(0.7)
            assert target.notifications == []  # still leased to the dead worker
            (notification,) = await received(target, within=10)
            assert notification["data"][0]["peopleCount"]["value"] == 4242
            await asyncio.sleep(0.5)
            assert len(target.notifications) == 1


async def test_two_workers_deliver_every_notification_exactly_once(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        for value in range(40):
            await set_count(client, value)
        workers = [another(own_workers) for _ in range(2)]
        async with running(*workers):

            async def all_forty() -> bool:
                return len(target.entities()) >= 40

            await eventually(all_forty, within=20)
            await asyncio.sleep(0.5)
        values = Counter(e["peopleCount"]["value"] for e in target.entities())
        assert sorted(values) == list(range(40))
        assert set(values.values()) == {1}
        assert sum(worker.stats.sent for worker in workers) == 40  # outbox rows, once each


async def test_outbox_depth_and_stats_are_on_app_state(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        sent_before = app.state.notifier.stats.sent
        await set_count(client, 3)
        await received(target)

        async def drained() -> bool:
            return await app.state.notifier.outbox_depth() == 0

        await eventually(drained)
        assert app.state.notifier.stats.sent > sent_before


async def test_notifications_sent_count_in_the_tenants_usage_report(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    today = app.state.usage.day(datetime.now(UTC)).isoformat()

    async def sent() -> int:
        response = await client.get("/audit/v1/usage", params={"tenant": "default"})
        assert response.status_code == 200, response.text
        return sum(r["notificationsSent"] for r in response.json() if r["day"] == today)

    before = await sent()
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        await set_count(client, 3)
        await received(target, 1)
        await set_count(client, 4)
        await received(target, 2)

        async def counted() -> int | None:
            return found if (found := await sent()) >= before + 2 else None

        assert await eventually(counted) == before + 2


async def test_a_backlog_of_one_subscription_goes_out_in_few_notifications(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        for value in range(30):
            await set_count(client, value)
        async with running(another(own_workers)):

            async def all_thirty() -> bool:
                return len(target.entities()) >= 30

            await eventually(all_thirty)
        values = [entity["peopleCount"]["value"] for entity in target.entities()]
        assert sorted(values) == list(range(30))
        assert len(target.notifications) < 30


async def test_stopping_the_worker_finishes_the_sends_in_flight(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        await set_count(client, 5)
        target.hanging = True
        worker = another(own_workers)
        worker.start()

        async def in_flight() -> bool:
            return worker.stats.claimed == 1

        await eventually(in_flight)
        stopping = asyncio.create_task(worker.stop())
        await asyncio.sleep(0.3)
        assert not stopping.done()  # waits for the send
        target.hanging = False
        await stopping
        assert len(target.notifications) == 1
        assert worker.stats.sent == 1
        assert await worker.outbox_depth() == 0


async def test_notifications_committed_before_a_restart_are_sent_by_the_next_process(
    database_url: str, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await create_entity(client)
    with receiver() as target:
        await subscribe(client, target.url)
        await set_count(client, 1234)  # committed; no worker runs to send it
        await asyncio.sleep(0.3)
        assert target.notifications == []
        restarted = create_app(make_settings(database_url), auth=make_auth())
        async with LifespanManager(restarted):
            (notification,) = await received(target)
        assert notification["data"][0]["peopleCount"]["value"] == 1234


async def _context_server(scope: Scope, receive: Receive, send: Send) -> None:
    """A user @context naming peopleCount `people`."""
    body = orjson.dumps({"@context": {"people": DEFAULT_CONTEXT + "peopleCount"}})
    headers = [(b"content-type", b"application/ld+json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def test_a_subscription_keeps_its_remote_context_so_a_cold_process_matches_without_it(
    database_url: str, client: httpx.AsyncClient
) -> None:
    await create_entity(client)
    with receiver() as target:
        with serve(_context_server) as context_url:
            link = f'<{context_url}/context.jsonld>; rel="{LINK_REL}"; type="application/ld+json"'
            body = subscription(target.url, watchedAttributes=["people"], q="people>1000")
            body["notification"]["attributes"] = ["people"]
            response = await client.post(
                SUBSCRIPTIONS, json=body, headers=headers() | {"Link": link}
            )
            assert response.status_code == 201, response.text
        # the context server is gone; a new process (cold caches) handles the next change
        restarted = create_app(make_settings(database_url), auth=make_auth())
        async with LifespanManager(restarted):
            transport = httpx.ASGITransport(app=restarted)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://renkei.test", headers=client.headers
            ) as cold:
                await set_count(cold, 4321)
                (notification,) = await received(target)
    (entity,) = notification["data"]
    assert entity["people"]["value"] == 4321


async def test_a_late_failure_does_not_touch_a_row_another_worker_claimed_since(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await create_entity(client)
    await subscribe(client, "http://127.0.0.1:9/notify")
    await set_count(client, 5)
    db = app.state.db

    async def claim(lease: float) -> deliveries.Claimed:
        async with db.transaction() as session:
            now = datetime.now(UTC)
            rows = await deliveries.due(session, now=now, limit=10, skip=[])
            (claimed,) = await deliveries.claim(session, rows, now=now, lease=lease)
            return claimed

    def failed(claimed: deliveries.Claimed) -> deliveries.Outcome:
        return deliveries.Outcome(
            id=claimed.id,
            tenant=claimed.tenant,
            subscription_id=claimed.subscription_id,
            ok=False,
            at=datetime.now(UTC),
            attempts=claimed.attempts + 1,
            claimed_until=claimed.claimed_until,
        )

    stale = await claim(lease=0.05)
    await asyncio.sleep(0.1)  # its lease lapses: the next worker claims the row
    current = await claim(lease=60)
    async with db.transaction() as session:  # the first worker's failure comes in late
        await deliveries.record(session, [failed(stale)], retry_at={stale.id: None})
    async with db.transaction(write=False) as session:
        row = await session.get(OutboxRow, current.id)
        assert row is not None and row.attempts == 0  # neither dropped nor rescheduled
    async with db.transaction() as session:
        retry = datetime.now(UTC) + timedelta(seconds=30)
        await deliveries.record(session, [failed(current)], retry_at={current.id: retry})
    async with db.transaction(write=False) as session:
        row = await session.get(OutboxRow, current.id)
        assert row is not None and (row.attempts, row.claimed_until) == (1, None)
