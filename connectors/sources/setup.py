"""Wiring of the context-source caller into the app: broker's services reach it through
`broker.registrations.dependencies.SourceCallerDep`, never through this package."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from broker.core.packages import Core, Package
from broker.registrations.forwarding import hop_id
from connectors.sources.client import HttpSourceCaller
from connectors.sources.settings import SourcesSettings


@asynccontextmanager
async def source_components(
    app: FastAPI, core: Core, settings: SourcesSettings
) -> AsyncIterator[None]:
    hop = hop_id(core.settings.effective_source_id, core.settings.source_alias)
    caller = HttpSourceCaller(core.guard, settings, hop=hop)
    app.state.source_caller = caller
    app.state.hop_id = hop
    try:
        yield
    finally:
        await caller.aclose()


def sources_package(settings: SourcesSettings) -> Package:
    def start(app: FastAPI, core: Core) -> AbstractAsyncContextManager[None]:
        return source_components(app, core, settings)

    return Package("sources", start=start)
