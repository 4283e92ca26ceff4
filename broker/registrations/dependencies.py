"""Typed dependencies of the distributed operations: the caller of context sources (started
by connectors/sources/) and this broker's Via hop id."""

from typing import Annotated

from fastapi import Depends, Request

from broker.registrations.forwarding import SourceCaller


def _source_caller(request: Request) -> SourceCaller:
    caller: SourceCaller = request.app.state.source_caller
    return caller


def _hop_id(request: Request) -> str:
    hop: str = request.app.state.hop_id
    return hop


SourceCallerDep = Annotated[SourceCaller, Depends(_source_caller)]
HopIdDep = Annotated[str, Depends(_hop_id)]
