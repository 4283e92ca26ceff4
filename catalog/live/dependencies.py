"""The broker component a live download needs besides the database: the @context resolver
(a saved query may name its own @context)."""

from typing import Annotated

from fastapi import Depends, Request

from broker.jsonld.context import ContextResolver


def _contexts(request: Request) -> ContextResolver:
    contexts: ContextResolver = request.app.state.contexts
    return contexts


ContextsDep = Annotated[ContextResolver, Depends(_contexts)]
