"""Dependencies of the standard data set routes: the core @context imported rows are read with."""

from typing import Annotated

from fastapi import Depends, Request

from broker.jsonld.context import Context, ContextResolver


def _core_context(request: Request) -> Context:
    contexts: ContextResolver = request.app.state.contexts
    return contexts.core


CoreContext = Annotated[Context, Depends(_core_context)]
