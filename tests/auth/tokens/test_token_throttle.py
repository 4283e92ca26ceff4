"""Guessing secrets at the token endpoint is slowed per client id and per address, and an
unknown client cannot be told from a wrong secret."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from auth.limits import FailureThrottle
from broker.core.app import create_app
from tests.auth.helpers import make_client
from tests.conftest import make_auth, make_settings

FORM = {"grant_type": "client_credentials"}


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_failures_empty_the_buckets_and_they_refill_by_the_minute() -> None:
    clock = Clock()
    throttle = FailureThrottle(per_client=3, per_address=5, clock=clock)
    for _ in range(3):
        assert throttle.wait("c", "10.0.0.1") == 0
        throttle.failed("c", "10.0.0.1")
    assert throttle.wait("c", "10.0.0.2") == pytest.approx(20)  # 3 a minute: one per 20 s
    assert throttle.wait("other", "10.0.0.2") == 0
    clock.now += 20
    assert throttle.wait("c", "10.0.0.1") == 0
    for client in ("d", "e"):
        throttle.failed(client, "10.0.0.1")  # the address's 5th failure with the c's one
    throttle.failed("f", "10.0.0.1")
    assert throttle.wait("g", "10.0.0.1") > 0  # a new client id from a guessing address


@pytest.fixture
async def guarded(database_url: str, client: httpx.AsyncClient) -> AsyncIterator[FastAPI]:
    """An app whose token endpoint allows 3 failures a minute per client id, 6 per address
    (the `client` fixture has set up the session's tenants and clients)."""
    auth = make_auth(token_failures_per_client=3, token_failures_per_address=6)
    application = create_app(make_settings(database_url), auth=auth)
    async with LifespanManager(application):
        yield application


async def test_an_unknown_client_and_a_wrong_secret_answer_alike(guarded: FastAPI) -> None:
    client_id, _ = await make_client(guarded)
    transport = httpx.ASGITransport(app=guarded, client=("192.0.2.1", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        wrong = await http.post("/oauth2/token", data=FORM, auth=(client_id, "not-it"))
        unknown = await http.post("/oauth2/token", data=FORM, auth=("no-such-client", "x"))
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_a_guessed_client_is_slowed_and_others_are_not(guarded: FastAPI) -> None:
    client_id, secret = await make_client(guarded)
    other_id, other_secret = await make_client(guarded)
    transport = httpx.ASGITransport(app=guarded, client=("192.0.2.2", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://renkei.test") as http:
        for _ in range(3):
            failed = await http.post("/oauth2/token", data=FORM, auth=(client_id, "guess"))
            assert failed.status_code == 401
        slowed = await http.post("/oauth2/token", data=FORM, auth=(client_id, secret))
        assert slowed.status_code == 429
        assert int(slowed.headers["Retry-After"]) >= 1
        assert slowed.json()["error"] == "invalid_request"
        fine = await http.post("/oauth2/token", data=FORM, auth=(other_id, other_secret))
        assert fine.status_code == 200, fine.text


async def test_an_address_trying_many_client_ids_is_slowed(guarded: FastAPI) -> None:
    client_id, secret = await make_client(guarded)
    guesser = httpx.ASGITransport(app=guarded, client=("192.0.2.3", 1000))
    honest = httpx.ASGITransport(app=guarded, client=("192.0.2.4", 1000))
    async with httpx.AsyncClient(transport=guesser, base_url="http://renkei.test") as http:
        for n in range(6):
            failed = await http.post("/oauth2/token", data=FORM, auth=(f"guess-{n}", "x"))
            assert failed.status_code == 401
        slowed = await http.post("/oauth2/token", data=FORM, auth=(client_id, secret))
        assert slowed.status_code == 429
    async with httpx.AsyncClient(transport=honest, base_url="http://renkei.test") as http:
        fine = await http.post("/oauth2/token", data=FORM, auth=(client_id, secret))
        assert fine.status_code == 200, fine.text
