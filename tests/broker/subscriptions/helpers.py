"""Helpers for subscription tests: a real HTTP receiver on loopback, subscription bodies."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import orjson
from starlette.types import Receive, Scope, Send

from connectors.notify.worker import Notifier
from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, headers, people_flow
from tests.mqtt import eventually
from tests.servers import serve

SUBSCRIPTIONS = "/ngsi-ld/v1/subscriptions"
__all__ = ["ENTITIES", "SENSOR_ID", "eventually", "headers", "people_flow"]


class Receiver:
    """Records every notification POSTed to it; can answer with errors or hang."""

    def __init__(self) -> None:
        self.notifications: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.received_at: list[float] = []
        self.status = 200
        self.hanging = False
        self.url = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        while self.hanging:  # noqa: ASYNC110 (set from the test's thread, not this loop's)
            await asyncio.sleep(0.05)
        if self.status < 300:
            self.notifications.append(orjson.loads(body))
            self.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
            self.received_at.append(time.time())
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def entities(self) -> list[dict[str, Any]]:
        return [entity for n in self.notifications for entity in n["data"]]


@contextmanager
def receiver(port: int | None = None) -> Iterator[Receiver]:
    app = Receiver()
    with serve(app, port) as url:
        app.url = url + "/notify"
        try:
            yield app
        finally:
            app.hanging = False


def subscription(uri: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "Subscription",
        "entities": [{"type": "CrowdFlowObserved"}],
        "notification": {"endpoint": {"uri": uri}},
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


async def subscribe(client: httpx.AsyncClient, uri: str, **fields: Any) -> str:
    response = await client.post(SUBSCRIPTIONS, json=subscription(uri, **fields), headers=headers())
    assert response.status_code == 201, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


async def create_entity(client: httpx.AsyncClient, **overrides: Any) -> None:
    response = await client.post(ENTITIES, json=people_flow(**overrides), headers=headers())
    assert response.status_code == 201, response.text


async def set_count(client: httpx.AsyncClient, value: int, entity_id: str = SENSOR_ID) -> None:
    response = await client.patch(
        f"{ENTITIES}/{entity_id}/attrs",
        json={"peopleCount": {"type": "Property", "value": value}},
        headers=headers(),
    )
    assert response.status_code == 204, response.text


async def received(target: Receiver, count: int = 1, within: float = 10.0) -> list[dict[str, Any]]:
    """The receiver's notifications once it has at least `count`."""

    async def enough() -> list[dict[str, Any]] | None:
        return target.notifications if len(target.notifications) >= count else None

    return await eventually(enough, within)


def another(notifier: Notifier) -> Notifier:
    """A worker like `notifier`: another process's on the same store."""
    return Notifier(
        notifier.db, notifier.cache, notifier.guard, notifier.settings, usage=notifier.usage
    )


@asynccontextmanager
async def running(*workers: Notifier) -> AsyncIterator[None]:
    """The workers run inside the block, and have stopped (finishing their sends) after it."""
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            await worker.stop()
