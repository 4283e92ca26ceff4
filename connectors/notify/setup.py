"""Wiring of notification delivery into the app: the worker on app.state.notifier."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from broker.core.db import Database
from broker.core.netguard import NetGuard
from broker.core.packages import Core, Package
from broker.subscriptions.delivery_service import CompiledCache, on_queued
from connectors.notify.settings import NotifySettings
from connectors.notify.worker import Notifier


@asynccontextmanager
async def notifier_components(
    app: FastAPI,
    *,
    db: Database,
    cache: CompiledCache,
    guard: NetGuard,
    settings: NotifySettings,
) -> AsyncIterator[None]:
    """On exit the worker claims nothing more and finishes the sends in flight."""
    notifier = Notifier(db, cache, guard, settings, usage=getattr(app.state, "usage", None))
    app.state.notifier = notifier
    metrics = app.state.metrics
    # read through app.state: the notifier there may be replaced (tests restart it)
    metrics.add_source("notifications", lambda: app.state.notifier.stats.metric_families())
    metrics.add_source(
        "notification_outbox", lambda: app.state.notifier.depth_families(), cached=True
    )
    if settings.notify_enabled:
        on_queued(db, notifier.wake)
        notifier.start()
    try:
        yield
    finally:
        await notifier.stop()


def notify_package(settings: NotifySettings) -> Package:
    def start(app: FastAPI, core: Core) -> AbstractAsyncContextManager[None]:
        return notifier_components(
            app, db=core.db, cache=core.matchers, guard=core.guard, settings=settings
        )

    return Package("notify", start=start)
