"""The outbound target guard: internal addresses refused unless allowed (SSRF)."""

import httpx
import pytest
from asgi_lifespan import LifespanManager

from auth.settings import AuthSettings
from broker.core.app import create_app
from broker.core.netguard import NetGuard, TargetRefused
from broker.core.settings import BrokerSettings
from broker.jsonld.context import ContextResolver
from tests.broker.subscriptions.helpers import SUBSCRIPTIONS, subscription

INTERNAL_ENDPOINTS = (
    "http://127.0.0.1:8080/x",
    "http://169.254.169.254/latest",
    "mqtt://10.0.0.1/t",
)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.1", "169.254.169.254", "[::1]", "0.0.0.0"],
)
async def test_internal_targets_are_refused_by_default(host: str) -> None:
    with pytest.raises(TargetRefused):
        await NetGuard().check(host, 80)


async def test_public_addresses_pass() -> None:
    await NetGuard().check("93.184.216.34", 443)


async def test_allow_list_admits_named_hosts_and_networks() -> None:
    guard = NetGuard(allowed=["10.0.0.0/8", "receiver.internal"])
    await guard.check("10.20.30.40", 80)
    await guard.check("receiver.internal", 80)
    with pytest.raises(TargetRefused):
        await guard.check("192.168.1.1", 80)


async def test_allow_private_admits_everything() -> None:
    await NetGuard(allow_private=True).check("127.0.0.1", 80)


async def test_remote_context_on_an_internal_address_is_refused() -> None:
    resolver = ContextResolver(guard=NetGuard())
    with pytest.raises(Exception) as raised:
        await resolver.resolve("http://127.0.0.1:9/context.jsonld")
    await resolver.aclose()
    assert "may not be fetched" in str(raised.value)


async def test_subscription_to_an_internal_endpoint_is_400_without_the_allow_flag(
    database_url: str,
) -> None:
    settings = BrokerSettings(database_url=database_url, notify_allow_private=False)  # type: ignore[call-arg]
    application = create_app(settings, auth=AuthSettings(auth_disabled=True))  # type: ignore[call-arg]
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
            for uri in INTERNAL_ENDPOINTS:
                response = await http.post(SUBSCRIPTIONS, json=subscription(uri))
                assert response.status_code == 400, response.text
                assert "refused" in response.json()["detail"]
