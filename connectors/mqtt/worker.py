"""The MQTT ingestion worker: device messages in, batches of entity updates out.

Messages queue up in arrival order; the worker takes up to RENKEI_IOT_BATCH_SIZE of them (or
what arrived within RENKEI_IOT_BATCH_INTERVAL seconds of the first), stores them in one unit of
work per tenant, and only then acknowledges them to the broker. If the store is unavailable the
batch is retried, unacknowledged, until it commits or the process stops; the broker redelivers
unacknowledged messages to the next session with the same client id, so a crash between
receiving and committing loses nothing that was acknowledged.
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy import exc as sa_exc

from connectors.iot.directory import GroupDirectory
from connectors.iot.ingestion import Ingestion, Reading
from connectors.iot.measures import MalformedMeasure
from connectors.iot.stats import IngestionStats
from connectors.mqtt.connection import Message, MqttConnection
from connectors.mqtt.topics import measures_of, parse_topic, subscriptions

log = logging.getLogger("renkei.mqtt.ingest")

# Errors of an unreachable or overloaded store: the batch is retried as a whole.
TRANSIENT = (OSError, sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
_RETRY_FIRST, _RETRY_MAX = 0.5, 10.0


class MqttIngestor:
    def __init__(
        self,
        connection: MqttConnection,
        ingestion: Ingestion,
        directory: GroupDirectory,
        stats: IngestionStats,
        *,
        batch_size: int,
        batch_interval: float,
        shared_group: str | None = None,
        qos: int = 1,
        drain_timeout: float = 10.0,
    ) -> None:
        self.connection = connection
        self.ingestion = ingestion
        self.directory = directory
        self.stats = stats
        self.batch_size = batch_size
        self.batch_interval = batch_interval
        self.drain_timeout = drain_timeout
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        for subscription in subscriptions(shared_group):
            connection.on_message(subscription, self._queue.put_nowait, qos=qos)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="renkei-mqtt-ingest")

    async def stop(self) -> None:
        """Store (and acknowledge) the messages in hand, for at most drain_timeout seconds;
        whatever is left unacknowledged the broker redelivers to the next session."""
        if self._task is None:
            return
        self._closing = True
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self.drain_timeout)
        except TimeoutError:
            log.warning("MQTT ingestion stopped before its batch committed; it will be redelivered")
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            batch, last = await self._collect()
            if batch:
                await self._process(batch)
            if last:
                return

    async def _collect(self) -> tuple[list[Message], bool]:
        """The next batch, and whether the worker is to stop after it."""
        first = await self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        deadline = asyncio.get_running_loop().time() + self.batch_interval
        while len(batch) < self.batch_size:
            while len(batch) < self.batch_size and not self._queue.empty():
                message = self._queue.get_nowait()
                if message is None:
                    return batch, True
                batch.append(message)
            remaining = deadline - asyncio.get_running_loop().time()
            if len(batch) >= self.batch_size or remaining <= 0:
                break
            try:
                message = await asyncio.wait_for(self._queue.get(), remaining)
            except TimeoutError:
                break
            if message is None:
                return batch, True
            batch.append(message)
        return batch, False

    async def _process(self, batch: list[Message]) -> None:
        pairs = [(m, await self._reading(m)) for m in batch]
        readings = [r for _, r in pairs if r is not None]
        if readings and not await self._store(readings):
            return  # stopping before it committed: nothing is acknowledged
        for message, reading in pairs:
            if message.qos > 0 and self.connection.ack(message):
                if reading is not None:
                    self.stats.count_group(reading.group.key, "acknowledged")
                else:
                    self.stats.count("acknowledged")

    async def _reading(self, message: Message) -> Reading | None:
        self.stats.count("messages")
        topic = parse_topic(message.topic)
        if topic is None:
            return None
        group = await self.directory.by_apikey(topic.apikey)
        if group is None:
            self.stats.count("unknownApikeys")
            log.debug("dropped a message of unknown apikey on %s", message.topic)
            return None
        try:
            payload = measures_of(topic, message.payload)
        except MalformedMeasure as exc:
            log.warning("malformed payload on %s: %s", message.topic, exc)
            self.stats.count_group(group.key, "malformed")
            self.stats.count_device((group.tenant, topic.device_id), "malformed")
            return None
        return Reading(
            group=group,
            device_id=topic.device_id,
            payload=payload,
            arrival=datetime.fromtimestamp(message.received_at, UTC),
            source=message.topic,
            kind="cmdexe" if topic.kind == "cmdexe" else "attrs",
        )

    async def _store(self, readings: list[Reading]) -> bool:
        """Store the batch; True once committed, False if the worker stops first. While the
        store is unavailable the batch is retried; after an unexpected error each reading is
        stored alone, so one bad reading costs only itself (logged, counted as failed)."""
        try:
            return await self._retrying(readings)
        except Exception:
            self.stats.count("failedBatches")
            log.exception("a batch of %d readings failed; storing them one by one", len(readings))
        for reading in readings:
            try:
                if not await self._retrying([reading]):
                    return False
            except Exception:
                log.exception("a reading on %s could not be stored; dropped", reading.source)
                self.stats.count_group(reading.group.key, "failed")
        return True

    async def _retrying(self, readings: list[Reading]) -> bool:
        delay = _RETRY_FIRST
        while True:
            try:
                await self.ingestion.store(readings, channel="MQTT")
                return True
            except TRANSIENT as exc:
                self.stats.count("failedBatches")
                log.error("%d readings did not commit (%s); retrying", len(readings), exc)
                if self._closing:
                    return False
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)
