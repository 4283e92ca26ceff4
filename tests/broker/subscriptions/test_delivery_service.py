"""The delivery services the outbox workers call: plain frozen data in and out, and the status
members of a subscription's notification (clause 5.2.12: timesSent, timesFailed, lastSuccess,
lastFailure, status) kept from the outcomes recorded."""

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import broker.subscriptions.delivery_service as deliveries
from broker.core.db import Base
from broker.entities.render import format_datetime
from connectors.notify.worker import Notifier
from tests.broker.subscriptions.helpers import (
    ENTITIES,
    SENSOR_ID,
    SUBSCRIPTIONS,
    headers,
    people_flow,
)

TENANT = "yokohama"
UNREACHABLE = "http://127.0.0.1:9/notify"  # nothing listens: the test's worker sends nothing


async def _subscribe(client: httpx.AsyncClient, **endpoint: Any) -> str:
    body = {
        "type": "Subscription",
        "entities": [{"type": "CrowdFlowObserved"}],
        "notification": {"endpoint": {"uri": UNREACHABLE, **endpoint}},
    }
    response = await client.post(SUBSCRIPTIONS, json=body, headers=headers(TENANT))
    assert response.status_code == 201, response.text
    return str(response.headers["Location"].rsplit("/", 1)[1])


async def _sensor(client: httpx.AsyncClient) -> None:
    response = await client.post(ENTITIES, json=people_flow(), headers=headers(TENANT))
    assert response.status_code == 201, response.text


async def _change(client: httpx.AsyncClient, *values: int) -> None:
    """One change of the sensor (one queued notification) per value."""
    for value in values:
        response = await client.patch(
            f"{ENTITIES}/{SENSOR_ID}/attrs",
            json={"peopleCount": {"type": "Property", "value": value}},
            headers=headers(TENANT),
        )
        assert response.status_code == 204, response.text


async def _claim_all(app: FastAPI) -> tuple[list[deliveries.Due], list[deliveries.Claimed]]:
    async with app.state.db.transaction() as session:
        now = datetime.now(UTC)
        due = await deliveries.due(session, now=now, limit=10, skip=[])
        return due, await deliveries.claim(session, due, now=now, lease=60)


async def _record(app: FastAPI, *outcomes: deliveries.Outcome, retry_in: float = 30) -> None:
    async with app.state.db.transaction() as session:
        retry = datetime.now(UTC) + timedelta(seconds=retry_in)
        retry_at: dict[int, datetime | None] = {o.id: retry for o in outcomes if not o.ok}
        await deliveries.record(session, outcomes, retry_at=retry_at)


async def _depth(app: FastAPI) -> int:
    async with app.state.db.transaction(write=False) as session:
        return await deliveries.depth(session)


async def _status(client: httpx.AsyncClient, subscription_id: str) -> dict[str, Any]:
    response = await client.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=headers(TENANT))
    assert response.status_code == 200, response.text
    notification: dict[str, Any] = response.json()["notification"]
    return notification


def _outcome(claimed: deliveries.Claimed, *, ok: bool, at: datetime) -> deliveries.Outcome:
    return deliveries.Outcome(
        id=claimed.id,
        tenant=claimed.tenant,
        subscription_id=claimed.subscription_id,
        ok=ok,
        at=at,
        attempts=claimed.attempts + 1,
        claimed_until=claimed.claimed_until,
    )


async def test_a_claimed_notification_is_frozen_data_that_names_its_target(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await _sensor(client)
    subscription_id = await _subscribe(client, receiverInfo=[{"key": "X-Token", "value": "t-9"}])
    await _change(client, 77)
    due, claimed = await _claim_all(app)
    assert [d.tenant for d in due] == [TENANT]
    assert due[0].endpoint == "http://127.0.0.1:9"  # the lane the worker limits per endpoint
    for item in (*due, *claimed):
        assert dataclasses.is_dataclass(item) and not isinstance(item, Base)
        with pytest.raises(dataclasses.FrozenInstanceError):
            item.attempts = 5  # type: ignore[misc]
    (group,) = deliveries.grouped(claimed)
    message = deliveries.delivery(group, datetime.now(UTC))
    assert message.endpoint.uri == UNREACHABLE
    assert message.headers["NGSILD-Tenant"] == TENANT
    assert message.headers["X-Token"] == "t-9"
    assert message.body["type"] == "Notification"
    assert message.body["subscriptionId"] == subscription_id
    (entity,) = message.body["data"]
    assert entity["peopleCount"]["value"] == 77


async def test_rows_claimed_by_one_worker_are_not_due_for_another(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await _sensor(client)
    await _subscribe(client)
    await _change(client, 1, 2)
    due, claimed = await _claim_all(app)
    assert len(due) == len(claimed) == 2
    again, _ = await _claim_all(app)
    assert again == []
    assert await _depth(app) == 2  # claimed, not sent: still in the outbox


async def test_recorded_outcomes_keep_the_status_members_of_the_subscription(
    app: FastAPI, client: httpx.AsyncClient, own_workers: Notifier
) -> None:
    await _sensor(client)
    subscription_id = await _subscribe(client)
    await _change(client, 1, 2, 3)
    _, (first, second, third) = await _claim_all(app)
    start = datetime.now(UTC)
    at = [start + timedelta(seconds=i) for i in range(5)]
    await _record(  # one flush: a success, then two failures (in any order)
        app,
        _outcome(third, ok=False, at=at[2]),
        _outcome(first, ok=True, at=at[0]),
        _outcome(second, ok=False, at=at[1]),
    )
    status = await _status(client, subscription_id)
    assert (status["timesSent"], status["timesFailed"], status["status"]) == (1, 2, "ok")
    assert status["lastSuccess"] == format_datetime(at[0])
    assert status["lastFailure"] == status["lastNotification"] == format_datetime(at[2])
    assert await _depth(app) == 2  # the sent row is gone, the failed ones wait for a retry

    await _record(app, _outcome(third, ok=False, at=at[3]))  # the third failure in a row
    status = await _status(client, subscription_id)
    assert (status["timesFailed"], status["status"]) == (3, "failed")

    await _record(app, _outcome(second, ok=True, at=at[4]))  # a success starts afresh
    status = await _status(client, subscription_id)
    assert (status["timesSent"], status["timesFailed"], status["status"]) == (2, 3, "ok")
    assert status["lastSuccess"] == format_datetime(at[4])
