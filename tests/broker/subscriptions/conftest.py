"""Fixtures of the subscription tests."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from broker.subscriptions.delivery_service import on_queued
from connectors.notify.worker import Notifier
from tests.broker.subscriptions.helpers import another


@pytest.fixture
async def own_workers(app: FastAPI) -> AsyncIterator[Notifier]:
    """The app's worker stopped for the test (the test runs its own), started again after."""
    running: Notifier = app.state.notifier
    await running.stop()
    yield running
    fresh = another(running)
    on_queued(running.db, fresh.wake)
    fresh.start()
    app.state.notifier = fresh
