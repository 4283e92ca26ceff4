"""Per-endpoint isolation: a concurrency limit and a circuit breaker.

A lane is one endpoint (scheme://host:port). At most `concurrency` notifications to it are in
flight, so a slow endpoint holds only its own slots. After `threshold` consecutive failures the
breaker opens: nothing is claimed for the endpoint for `cooldown` seconds, then one trial
notification is let through (half-open); a success closes the breaker.
"""

import time
from dataclasses import dataclass


@dataclass
class Lane:
    concurrency: int
    threshold: int
    cooldown: float
    in_flight: int = 0
    failures: int = 0
    opened_at: float | None = None

    def slots(self, now: float | None = None) -> int:
        """How many more notifications to this endpoint may start now."""
        now = time.monotonic() if now is None else now
        if self.opened_at is None:
            allowed = self.concurrency
        elif now - self.opened_at >= self.cooldown:
            allowed = 1  # half-open: one trial
        else:
            allowed = 0
        return max(0, allowed - self.in_flight)

    @property
    def open(self) -> bool:
        return self.opened_at is not None

    def record(self, ok: bool, now: float | None = None) -> None:
        if ok:
            self.failures = 0
            self.opened_at = None
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic() if now is None else now
