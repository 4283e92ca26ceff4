"""Request rate limits per tenant and per client (fair shares on one shared base), and the
slowing of credential guessing at the token endpoint.

Token buckets, one per tenant and one per client, in each process: a limit is requests per
second per replica (with N replicas a tenant may make N times as many in all). A bucket holds
at most `burst` seconds of its rate, so a quiet tenant may send a short burst. Buckets of
keys not seen for a while are dropped (at most `MAX_BUCKETS` are kept), so 1,741 tenants and
their clients cost a few hundred kilobytes.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, Metric

from broker.core.errors import TooManyRequests

MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(
        self,
        *,
        tenant_rate: float,
        client_rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.tenant_rate = tenant_rate  # 0: unlimited unless the tenant has its own limit
        self.client_rate = client_rate  # 0: unlimited
        self.burst = burst
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        self.refused = {"tenant": 0, "client": 0}

    def take(self, *, tenant: str, client: str, tenant_rate: float | None = None) -> None:
        """Count one request of `client` in `tenant`; TooManyRequests if either is over."""
        now = self.clock()
        rate = self.tenant_rate if tenant_rate is None else tenant_rate
        checks = [("tenant", tenant, rate), ("client", client, self.client_rate)]
        waits = [(kind, self._wait(kind, key, r, now)) for kind, key, r in checks if r > 0]
        over = [(kind, wait) for kind, wait in waits if wait > 0]
        if over:
            kind, wait = max(over, key=lambda item: item[1])
            self.refused[kind] += 1
            what = f"tenant {tenant}" if kind == "tenant" else f"client {client}"
            raise TooManyRequests(f"{what} is over its rate limit", retry_after=wait)
        for kind, key, r in checks:
            if r > 0:
                self._buckets[(kind, key)].tokens -= 1

    def _wait(self, kind: str, key: str, rate: float, now: float) -> float:
        """Seconds until the bucket holds a token (0: it holds one now), refilled to now."""
        capacity = max(1.0, rate * self.burst)
        bucket = self._buckets.get((kind, key))
        if bucket is None:
            bucket = self._buckets[(kind, key)] = _Bucket(capacity, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end((kind, key))
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / rate

    def metric_families(self) -> list[Metric]:
        family = CounterMetricFamily(
            "renkei_rate_limited", "Requests refused with 429, by the limit", labels=["limit"]
        )
        for kind, count in sorted(self.refused.items()):
            family.add_metric([kind], count)
        return [family]


class FailureThrottle:
    """Failed client authentications at the token endpoint, per client id and per address.

    Each failure takes one token from the client id's bucket and one from the address's (each
    holds `per_client` / `per_address` failures and refills at that many a minute). While
    either is empty every attempt of that client id, or from that address, is refused before
    any secret is checked: a guesser gets a few tries a minute, and a client's own correct
    secret works again once its bucket refills.
    """

    def __init__(
        self,
        *,
        per_client: float,
        per_address: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"client": per_client, "address": per_address}  # a minute; 0: off
        self.clock = clock
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()

    def _keys(self, client: str | None, address: str | None) -> list[tuple[str, str]]:
        keys = [("client", client), ("address", address)]
        return [(kind, key) for kind, key in keys if key and self.limits[kind] > 0]

    def _bucket(self, kind: str, key: str, now: float) -> _Bucket:
        per_minute = self.limits[kind]
        bucket = self._buckets.get((kind, key))
        if bucket is None:
            bucket = self._buckets[(kind, key)] = _Bucket(per_minute, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end((kind, key))
            bucket.tokens = min(per_minute, bucket.tokens + (now - bucket.at) * per_minute / 60)
            bucket.at = now
        return bucket

    def wait(self, client: str | None, address: str | None) -> float:
        """Seconds until this client id and address may try again (0: now)."""
        now = self.clock()
        waits = [0.0]
        for kind, key in self._keys(client, address):
            bucket = self._bucket(kind, key, now)
            if bucket.tokens < 1:
                waits.append((1 - bucket.tokens) * 60 / self.limits[kind])
        return max(waits)

    def failed(self, client: str | None, address: str | None) -> None:
        now = self.clock()
        for kind, key in self._keys(client, address):
            self._bucket(kind, key, now).tokens -= 1
