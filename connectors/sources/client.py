"""HTTP calls to a context source: the SSRF guard, the registration's headers and tenant, the
Via hop, a timeout per call and a breaker per source (the notifier's `Lane`)."""

import asyncio
import time
from urllib.parse import urlsplit

import httpx

from broker.core.netguard import NetGuard, TargetRefused
from broker.registrations.forwarding import (
    SourceAnswer,
    SourceRequest,
    forwarded_via,
    has_looped,
)
from broker.registrations.sources import RegisteredSource
from connectors.notify.breaker import Lane
from connectors.sources.settings import SourcesSettings


class SourceFailed(Exception):
    pass


class HttpSourceCaller:
    """The `SourceCaller` of broker.registrations.forwarding, over httpx."""

    def __init__(self, guard: NetGuard, settings: SourcesSettings, *, hop: str) -> None:
        self.guard = guard
        self.settings = settings
        self.hop = hop
        self.lanes: dict[str, Lane] = {}
        self.client = httpx.AsyncClient(
            follow_redirects=False,  # a redirect could lead past the target check
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=100),
        )

    def lane(self, source: RegisteredSource) -> Lane:
        lane = self.lanes.get(source.registration_id)
        if lane is None:
            lane = Lane(
                concurrency=self.settings.sources_concurrency,
                threshold=self.settings.sources_breaker_threshold,
                cooldown=source.cooldown_seconds or self.settings.sources_breaker_cooldown,
            )
            self.lanes[source.registration_id] = lane
        return lane

    async def call(self, source: RegisteredSource, request: SourceRequest) -> SourceAnswer:
        if has_looped(request.via, self.hop):
            return SourceAnswer(
                source, ok=False, error="loop: this broker is already in Via", sent=False
            )
        lane = self.lane(source)
        if lane.open and lane.room() <= 0:  # open, or half-open with its trial in flight
            return SourceAnswer(source, ok=False, error="circuit open: source failing", sent=False)
        lane.held += 1
        started = time.monotonic()
        try:
            answer = await self._timed(source, request, lane)
        except SourceFailed as exc:
            answer = SourceAnswer(source, ok=False, error=str(exc))
        finally:
            lane.held -= 1
        lane.record(answer.ok, time.monotonic() - started)
        return answer

    async def _timed(
        self, source: RegisteredSource, request: SourceRequest, lane: Lane
    ) -> SourceAnswer:
        """The timeout covers the wait for one of the source's slots and the whole answer."""
        timeout = source.timeout_seconds or self.settings.sources_timeout
        try:
            async with asyncio.timeout(timeout), lane.slots_free:
                return await self._send(source, request)
        except TimeoutError as exc:
            raise SourceFailed(f"no answer within {timeout:g} s") from exc

    async def _send(self, source: RegisteredSource, request: SourceRequest) -> SourceAnswer:
        url = source.endpoint.rstrip("/") + request.path
        target = urlsplit(url)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise SourceFailed(f"endpoint {source.endpoint} is not an http(s) URL")
        try:
            await self.guard.check(target.hostname, target.port)
        except TargetRefused as exc:
            raise SourceFailed(f"target refused: {exc}") from exc
        params: list[tuple[str, str | int | float | bool | None]] = list(request.params)
        if source.local_only:
            params.append(("local", "true"))
        try:
            response = await self.client.request(
                request.method,
                url,
                params=params,
                json=request.body,
                headers=self._headers(source, request),
            )
        except httpx.HTTPError as exc:
            raise SourceFailed(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
        return self._answer(source, response)

    def _headers(self, source: RegisteredSource, request: SourceRequest) -> dict[str, str]:
        headers = dict(source.headers)
        headers["Accept"] = "application/json"
        headers["Via"] = forwarded_via(request.via, self.hop)
        if source.remote_tenant:
            headers["NGSILD-Tenant"] = source.remote_tenant
        if request.link:
            headers["Link"] = request.link
        if isinstance(request.body, dict) and "@context" in request.body:
            headers["Content-Type"] = "application/ld+json"
        return headers

    @staticmethod
    def _answer(source: RegisteredSource, response: httpx.Response) -> SourceAnswer:
        status = response.status_code
        if status == 404:  # the source does not hold it: an answer, not a failure
            return SourceAnswer(source, ok=True, status=status)
        if not 200 <= status < 300:
            raise SourceFailed(f"HTTP {status}")
        body = None
        if response.content:
            try:
                body = response.json()
            except ValueError as exc:
                raise SourceFailed("answer is not JSON") from exc
        raw_count = response.headers.get("NGSILD-Results-Count")
        count = int(raw_count) if raw_count and raw_count.isdigit() else None
        return SourceAnswer(source, ok=True, status=status, body=body, count=count)

    async def aclose(self) -> None:
        await self.client.aclose()
