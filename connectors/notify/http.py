"""HTTP(S) notification delivery: one POST per notification, 2xx is success."""

import httpx
import orjson

from broker.subscriptions.delivery_service import Delivery


class DeliveryFailed(Exception):
    pass


class HttpSender:
    def __init__(self, *, connect_timeout: float, read_timeout: float) -> None:
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=200),
            follow_redirects=False,  # a redirect could lead past the target check
        )

    async def send(self, delivery: Delivery) -> None:
        try:
            response = await self.client.post(
                delivery.endpoint.uri, content=orjson.dumps(delivery.body), headers=delivery.headers
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}")

    async def aclose(self) -> None:
        await self.client.aclose()
