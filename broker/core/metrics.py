"""Prometheus metrics: one registry per app on ``app.state.metrics``, served at GET /metrics.

HTTP requests are counted by :class:`ObserveMiddleware` (which also writes the access log).
Everything else is read at scrape time from *sources*: a component registers one in one line,

    app.state.metrics.add_source("iot", stats.metric_families)

A source returns prometheus-client metric families, synchronously or as an awaitable. Sources
that query the database are registered with ``cached=True`` and run at most once every
RENKEI_METRICS_CACHE_TTL seconds, so a scrape storm cannot load the store.

No metric is labelled by tenant: series would grow with tenants (routes x statuses x 1,741
municipalities), and per-tenant figures are the usage records' job (auth/audit).
"""

import inspect
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.core import logs
from broker.core.dependencies import SettingsDep
from broker.core.errors import ResourceNotFound, Unauthorized
from broker.core.routing import route_template

Families = Iterable[Metric]
Source = Callable[[], Families | Awaitable[Families]]

# Request latency buckets (seconds): a broker answers in milliseconds, batches may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Sources:
    """The registry's view of the sources: what the last refresh gathered."""

    def __init__(self) -> None:
        self.families: dict[str, list[Metric]] = {}

    def collect(self) -> Iterator[Metric]:
        for families in self.families.values():
            yield from families


class Metrics:
    def __init__(self, *, cache_ttl: float = 15.0) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.cache_ttl = cache_ttl
        self.requests = Counter(
            "renkei_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "renkei_http_request_duration_seconds",
            "Time from request to the end of its response, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._sources: dict[str, tuple[Source, bool]] = {}
        self._gathered = _Sources()
        self._refreshed_at: dict[str, float] = {}
        self.registry.register(self._gathered)

    def add_source(self, name: str, source: Source, *, cached: bool = False) -> None:
        """Read `source` at each scrape (cached: at most every cache_ttl seconds). Registering
        a name again replaces its source."""
        self._sources[name] = (source, cached)
        self._refreshed_at.pop(name, None)

    def remove_source(self, name: str) -> None:
        self._sources.pop(name, None)
        self._gathered.families.pop(name, None)
        self._refreshed_at.pop(name, None)

    def expire(self) -> None:
        """Have the next scrape read cached sources anew."""
        self._refreshed_at.clear()

    async def refresh(self) -> None:
        now = time.monotonic()
        for name, (source, cached) in list(self._sources.items()):
            if cached and now - self._refreshed_at.get(name, -float("inf")) < self.cache_ttl:
                continue
            result = source()
            if inspect.isawaitable(result):
                result = await result
            self._gathered.families[name] = list(result)
            self._refreshed_at[name] = now

    async def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        await self.refresh()
        return generate_latest(self.registry)

    def observe(self, scope: Scope, *, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = scope.get("method", "")
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class ObserveMiddleware:
    """Counts and times every HTTP request, and writes one access log line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            metrics: Metrics | None = getattr(scope["app"].state, "metrics", None)
            if metrics is not None:
                metrics.observe(scope, status=status, seconds=seconds)
            logs.access(scope, status=status, seconds=seconds)


def pool_families(engine: Any) -> Families:
    """Connections of the SQLAlchemy pool: in use, idle, overflow, and its configured size."""
    pool = engine.pool
    family = GaugeMetricFamily(
        "renkei_db_pool_connections", "Database connections of this process", labels=["state"]
    )
    for state, reader in (
        ("in_use", "checkedout"),
        ("idle", "checkedin"),
        ("overflow", "overflow"),
    ):
        value = getattr(pool, reader, None)
        if callable(value):
            family.add_metric([state], max(float(value()), 0.0))
    size = GaugeMetricFamily("renkei_db_pool_size", "Connections the pool keeps open")
    size_of = getattr(pool, "size", None)
    size.add_metric([], float(size_of()) if callable(size_of) else 0.0)
    return [family, size]


router = APIRouter()


def _registry(request: Request) -> Metrics:
    registry: Metrics = request.app.state.metrics
    return registry


@router.get("/metrics", include_in_schema=False)
async def metrics(
    request: Request, settings: SettingsDep, registry: Annotated[Metrics, Depends(_registry)]
) -> Response:
    """Prometheus exposition of this process's metrics."""
    if not settings.metrics_enabled:
        raise ResourceNotFound("metrics are turned off (RENKEI_METRICS_ENABLED=0)")
    token = settings.metrics_token
    if token is None and settings.env == "production":
        # Metrics name every tenant: production never serves them to anyone who asks.
        raise Unauthorized("/metrics is closed in production until RENKEI_METRICS_TOKEN is set")
    if token is not None:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not secrets.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("/metrics needs the bearer token of RENKEI_METRICS_TOKEN")
    body = await registry.exposition()
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)
