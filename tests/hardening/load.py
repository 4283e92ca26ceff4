"""Load for the kill tests: writers that keep a ledger of what the server acknowledged.

Every write carries a value that only grows per entity (and a request id of its own), so after
a crash each entity's stored value can be judged: it must be the last acknowledged one, or a
later one whose request was cut off by the kill (committed, but its answer never arrived).
"""

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from connectors.mqtt.connection import MqttConnection

ENTITY_TYPE, BATCH_TYPE, DEVICE_TYPE = "KillTest", "KillBatch", "KillMeasure"


@dataclass
class Ledger:
    """What the load sent and what the server acknowledged (2xx), per entity."""

    acked: dict[str, int] = field(default_factory=dict)  # last acknowledged value
    cut_off: dict[str, set[int]] = field(default_factory=dict)  # sent, answer never came
    every_acked: set[tuple[str, int]] = field(default_factory=set)
    request_ids: set[str] = field(default_factory=set)  # of acknowledged writes
    statuses: Counter[str] = field(default_factory=Counter)
    created: set[str] = field(default_factory=set)

    def ack(self, entity_id: str, value: int) -> None:
        self.acked[entity_id] = max(value, self.acked.get(entity_id, 0))
        self.every_acked.add((entity_id, value))

    def allowed(self, entity_id: str) -> set[int]:
        """Values the entity may hold now: its last acknowledged one, or a later cut-off one."""
        last = self.acked[entity_id]
        return {last} | {v for v in self.cut_off.get(entity_id, ()) if v > last}


def property_of(value: int) -> dict[str, Any]:
    return {"type": "Property", "value": value}


def _created(entity_id: str) -> Callable[[dict[str, int]], Any]:
    return lambda values: {
        "id": entity_id,
        "type": ENTITY_TYPE,
        "v": property_of(values[entity_id]),
    }


def _patched(entity_id: str) -> Callable[[dict[str, int]], Any]:
    return lambda values: {"v": property_of(values[entity_id])}


class HttpLoad:
    """Creates then updates (POST, then PATCH of the attribute) entities of ENTITY_TYPE, each
    entity written by one worker at a time; and batch upserts of BATCH_TYPE entities."""

    def __init__(self, base: str, headers: dict[str, str], ledger: Ledger) -> None:
        self.base = base
        self.headers = headers
        self.ledger = ledger
        self.values: Counter[str] = Counter()

    async def _send(
        self,
        http: httpx.AsyncClient,
        method: str,
        path: str,
        body: Callable[[dict[str, int]], Any],
        writes: list[str],
    ) -> int | None:
        """One write of the entities `writes` (value: their next one); the status, or None when
        the answer was cut off."""
        values = {}
        for entity_id in writes:
            self.values[entity_id] += 1
            values[entity_id] = self.values[entity_id]
            self.ledger.cut_off.setdefault(entity_id, set()).add(values[entity_id])
        request_id = f"kill-{uuid.uuid4().hex}"
        content = orjson.dumps(body(values))
        headers = self.headers | {"X-Request-Id": request_id, "Content-Type": "application/json"}
        try:
            response = await http.request(method, path, content=content, headers=headers)
        except httpx.ConnectError:  # never sent: the server is down
            for entity_id, value in values.items():
                self.ledger.cut_off[entity_id].discard(value)
            self.ledger.statuses["refused"] += 1
            await asyncio.sleep(0.05)
            return None
        except httpx.TransportError:  # sent, and the kill cut off its answer
            self.ledger.statuses["cut off"] += 1
            return None
        self.ledger.statuses[str(response.status_code)] += 1
        acknowledged = response.status_code in (201, 204)  # a 207 is not: some failed
        for entity_id, value in values.items():
            self.ledger.cut_off[entity_id].discard(value)  # answered: not in doubt
            if acknowledged:
                self.ledger.ack(entity_id, value)
        if acknowledged:
            self.ledger.request_ids.add(request_id)
        return response.status_code

    async def writer(self, entity_ids: list[str]) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as http:
            for entity_id in itertools.cycle(entity_ids):
                if entity_id not in self.ledger.created:
                    status = await self._send(
                        http, "POST", "/ngsi-ld/v1/entities", _created(entity_id), [entity_id]
                    )
                    if status in (201, 409):  # 409: a cut-off create had committed
                        self.ledger.created.add(entity_id)
                    continue
                path = f"/ngsi-ld/v1/entities/{entity_id}/attrs"
                await self._send(http, "PATCH", path, _patched(entity_id), [entity_id])

    async def batches(self, entity_ids: list[str]) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as http:
            while True:
                await self._send(
                    http,
                    "POST",
                    "/ngsi-ld/v1/entityOperations/upsert",
                    lambda v: [
                        {"id": e, "type": BATCH_TYPE, "v": property_of(v[e])} for e in entity_ids
                    ],
                    entity_ids,
                )


class Measures:
    """Devices publishing QoS 1 measures to the MQTT broker, across the server's kills: each
    measure k of a device carries `seq` = k and an attribute `m<k>` = k of its own."""

    def __init__(self, connection: MqttConnection, apikey: str, interval: float) -> None:
        self.connection = connection
        self.apikey = apikey
        self.interval = interval
        self.pubacked: dict[str, int] = {}  # device id: last measure the broker PUBACKed

    async def device(self, device_id: str, stop: asyncio.Event) -> None:
        topic = f"/{self.apikey}/{device_id}/attrs"
        for k in itertools.count(1):
            await self.connection.publish(topic, orjson.dumps({"seq": k, f"m{k}": k}), qos=1)
            self.pubacked[device_id] = k
            try:
                await asyncio.wait_for(stop.wait(), self.interval)
                return
            except TimeoutError:
                pass

    @property
    def total(self) -> int:
        return sum(self.pubacked.values())
