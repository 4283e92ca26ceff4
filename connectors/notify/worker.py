"""The outbox worker: claims due notifications, sends them, records the outcomes.

One loop per process (every replica runs one; claims never overlap, see
broker.subscriptions.repository.OutboxRepository). It reaches the outbox only through
broker.subscriptions.delivery_service, in transactions of its own. Each round it
1. stores the outcomes of finished sends in one transaction (sent rows deleted, failed ones
   rescheduled with exponential backoff, subscription status counters updated),
2. queues due periodic (timeInterval) notifications, about once a second,
3. claims due rows for endpoints with free slots and an unopened breaker, and starts a send
   task for each.
It is woken at once when a commit of this process queued notifications, and polls otherwise
(other replicas, retries coming due). A send that never completes (the process is killed)
leaves its row claimed until the lease lapses; then any worker sends it again.
"""

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric

import broker.subscriptions.delivery_service as deliveries
from auth.audit.usage import NOTIFICATIONS_SENT, Usage
from broker.core.db import Database
from broker.core.netguard import NetGuard
from broker.subscriptions.delivery_service import Claimed, CompiledCache, Due, Outcome
from connectors.notify.breaker import Lane
from connectors.notify.http import HttpSender
from connectors.notify.mqtt import MqttPool
from connectors.notify.settings import NotifySettings
from connectors.notify.stats import NotifierStats

log = logging.getLogger("renkei.notify")
MAX_IDLE_LANES = 10_000


class Notifier:
    def __init__(
        self,
        db: Database,
        cache: CompiledCache,
        guard: NetGuard,
        settings: NotifySettings,
        *,
        usage: Usage | None = None,
    ) -> None:
        self.db = db
        self.usage = usage  # notifications sent per tenant and day, for cost sharing
        self.cache = cache
        self.guard = guard
        self.settings = settings
        self.stats = NotifierStats()
        self.http = HttpSender(
            connect_timeout=settings.notify_connect_timeout,
            read_timeout=settings.notify_read_timeout,
        )
        self.mqtt = MqttPool(
            connect_timeout=settings.notify_connect_timeout,
            read_timeout=settings.notify_read_timeout,
        )
        self.lanes: dict[str, Lane] = {}
        self._outcomes: list[Outcome] = []
        self._sending: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._next_periodic = 0.0

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="renkei-notifier")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Claim nothing more, let the sends in flight finish, store their outcomes."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.http.aclose()
        await self.mqtt.aclose()

    async def outbox_depth(self) -> int:
        """Notifications waiting in the outbox (all tenants, all replicas)."""
        async with self.db.transaction(write=False) as session:
            return await deliveries.depth(session)

    async def depth_families(self) -> list[Metric]:
        gauge = GaugeMetricFamily(
            "renkei_notification_outbox_depth", "Notifications waiting in the outbox (all replicas)"
        )
        gauge.add_metric([], await self.outbox_depth())
        return [gauge]

    # -- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            busy = False
            try:
                busy = await self.round()
            except Exception:
                log.exception("notification round failed; trying again")
                await asyncio.sleep(1.0)
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.notify_poll_interval)
        await self._drain()

    async def round(self) -> bool:
        """One round; True when it claimed a full batch (more may be waiting)."""
        if time.monotonic() >= self._next_periodic:
            self._next_periodic = time.monotonic() + self.settings.notify_periodic_interval
            self.stats.queued_periodic += await self.queue_periodic()
        return await self.flush(claim=True)

    async def queue_periodic(self) -> int:
        """Queue the notifications of due periodic subscriptions; returns how many."""
        now = datetime.now(UTC)
        async with self.db.transaction(write=False) as session:  # most of the time none is due
            if not await deliveries.periodic_due(session, now=now):
                return 0
        async with self.db.transaction() as session:
            return await deliveries.queue_periodic(session, self.cache, now=now)

    async def _drain(self) -> None:
        if self._sending:
            timeout = self.settings.notify_connect_timeout + self.settings.notify_read_timeout + 1
            await asyncio.wait(set(self._sending), timeout=timeout)
        for task in list(self._sending):  # still hanging: their rows are redelivered later
            task.cancel()
        try:
            await self.flush()
        except Exception:
            log.exception("could not store the last notification outcomes")

    def _lane(self, endpoint: str) -> Lane:
        lane = self.lanes.get(endpoint)
        if lane is None:
            if len(self.lanes) >= MAX_IDLE_LANES:  # forget endpoints with nothing going on
                for key in [k for k, v in self.lanes.items() if not v.held and not v.open]:
                    del self.lanes[key]
            s = self.settings
            lane = self.lanes[endpoint] = Lane(
                s.notify_endpoint_concurrency,
                s.notify_breaker_threshold,
                s.notify_breaker_cooldown,
                lease=s.notify_claim_lease,
                batch=s.notify_batch_size,
            )
        return lane

    async def flush(self, *, claim: bool = False) -> bool:
        """Store the outcomes of finished sends and, with `claim`, claim more rows and start
        sending them, in one write transaction (none at all when there is nothing to do: on
        SQLite every write transaction takes the database's one write lock).

        Returns True when a full batch was claimed (more may be waiting). On failure the
        outcomes are kept for the next round."""
        room = self.settings.notify_max_in_flight - len(self._sending)
        claim = claim and room > 0
        limit = min(room, self.settings.notify_batch_size)
        now_mono = time.monotonic()
        skip = sorted(k for k, lane in self.lanes.items() if lane.room(now_mono) == 0)
        outcomes, self._outcomes = self._outcomes, []
        now = datetime.now(UTC)
        try:
            if not outcomes:
                if not claim:
                    return False
                async with self.db.transaction(write=False) as session:
                    if not await deliveries.due(session, now=now, limit=1, skip=skip):
                        return False
            retry_at = {o.id: self._retry_at(o) for o in outcomes if not o.ok}
            rows: list[Due] = []
            claimed: list[Claimed] = []
            async with self.db.transaction() as session:
                if outcomes:
                    await deliveries.record(session, outcomes, retry_at=retry_at)
                    if self.usage is not None:
                        sent = [(o.tenant, None, o.at) for o in outcomes if o.ok]
                        await self.usage.count_each(session, metric=NOTIFICATIONS_SENT, events=sent)
                if claim:
                    rows = await deliveries.due(session, now=now, limit=limit, skip=skip)
                    picked = self._pick(rows, now_mono)
                    claimed = await deliveries.claim(
                        session, picked, now=now, lease=self.settings.notify_claim_lease
                    )
        except BaseException:
            self._outcomes[:0] = outcomes
            raise
        self._count(outcomes, retry_at)
        self.stats.claimed += len(claimed)
        for group in deliveries.grouped(claimed):
            self._lane(group[0].endpoint).held += len(group)
            task = asyncio.create_task(self._send(group))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        return len(rows) == limit and bool(claimed)

    def _pick(self, rows: list[Due], now_mono: float) -> list[Due]:
        """Of the candidate rows, as many per endpoint as it has free slots."""
        taken: Counter[str] = Counter()
        picked = []
        for row in rows:
            if taken[row.endpoint] < self._lane(row.endpoint).room(now_mono):
                taken[row.endpoint] += 1
                picked.append(row)
        return picked

    async def _send(self, group: list[Claimed]) -> None:
        item = group[0]
        lane = self._lane(item.endpoint)
        ok = False
        began = time.monotonic()
        try:
            async with lane.slots_free:
                began = time.monotonic()
                message = deliveries.delivery(group, datetime.now(UTC))
                await self.guard.check(message.endpoint.host, message.endpoint.port)
                if message.endpoint.scheme.startswith("mqtt"):
                    await self.mqtt.send(message)
                else:
                    await self.http.send(message)
            ok = True
        except Exception as exc:
            log.warning(
                "notification of subscription %s (tenant %s) to %s failed: %s",
                item.subscription_id,
                item.tenant,
                item.endpoint,
                exc,
            )
        finally:
            lane.held -= len(group)
        lane.record(ok, time.monotonic() - began)
        if ok:
            self.stats.sent += len(group)
        else:
            self.stats.failed += len(group)
        at = datetime.now(UTC)
        self._outcomes.extend(
            Outcome(
                id=row.id,
                tenant=row.tenant,
                subscription_id=row.subscription_id,
                ok=ok,
                at=at,
                attempts=row.attempts + 1,
                claimed_until=row.claimed_until,
                trigger_reason=row.trigger_reason,
            )
            for row in group
        )
        self._wake.set()

    def _retry_at(self, outcome: Outcome) -> datetime | None:
        s = self.settings
        if outcome.attempts >= s.notify_max_attempts:
            return None
        delay = min(s.notify_retry_base * 2 ** (outcome.attempts - 1), s.notify_retry_max)
        return outcome.at + timedelta(seconds=delay * random.uniform(0.8, 1.0))

    def _count(self, outcomes: list[Outcome], retry_at: dict[int, datetime | None]) -> None:
        for outcome in outcomes:
            if outcome.ok:
                continue
            if retry_at[outcome.id] is None:
                self.stats.dropped += 1
                log.error(
                    "notification %d of subscription %s given up after %d attempts",
                    outcome.id,
                    outcome.subscription_id,
                    outcome.attempts,
                )
            else:
                self.stats.retried += 1
