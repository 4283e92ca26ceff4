"""Per-endpoint isolation: a concurrency limit, a bounded share of claimed rows, a breaker.

A lane is one endpoint (scheme://host:port). At most `concurrency` notifications to it are in
flight, so a slow endpoint holds only its own slots. The worker may claim more rows for a lane
than it has slots (they wait for one), but only as many as it can surely send before their
claim lease lapses, judged from the endpoint's recent send times: a fast receiver gets big
batches, a slow one few rows, a new one no more than its slots.
After `threshold` consecutive failures the breaker opens: nothing is claimed for the endpoint
for `cooldown` seconds, then one trial notification is let through (half-open); a success
closes the breaker.
"""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Lane:
    concurrency: int
    threshold: int
    cooldown: float
    lease: float = 60.0
    batch: int = 100
    held: int = 0  # claimed and not finished (sending or waiting for a slot)
    failures: int = 0
    opened_at: float | None = None
    send_seconds: float | None = None  # moving average of recent send times
    slots_free: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots_free = asyncio.Semaphore(self.concurrency)

    def capacity(self) -> int:
        """Rows this lane may hold: sendable within half a lease at the recent pace."""
        if self.send_seconds is None:
            return self.concurrency
        rounds = int(self.lease / (2 * max(self.send_seconds, 0.001)))
        return max(self.concurrency, min(self.batch, self.concurrency * max(rounds, 1)))

    def room(self, now: float | None = None) -> int:
        """How many more rows of this endpoint may be claimed now."""
        now = time.monotonic() if now is None else now
        if self.opened_at is None:
            allowed = self.capacity()
        elif now - self.opened_at >= self.cooldown:
            allowed = 1  # half-open: one trial
        else:
            allowed = 0
        return max(0, allowed - self.held)

    @property
    def open(self) -> bool:
        return self.opened_at is not None

    def record(self, ok: bool, seconds: float, now: float | None = None) -> None:
        previous = self.send_seconds
        self.send_seconds = seconds if previous is None else 0.8 * previous + 0.2 * seconds
        if ok:
            self.failures = 0
            self.opened_at = None
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic() if now is None else now
