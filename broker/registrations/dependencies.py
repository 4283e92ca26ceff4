"""Dependencies of the registration routes (the caller's access, the registrations service) and
of the distributed operations (the caller of context sources, started by connectors/sources/,
and this broker's Via hop id)."""

from typing import Annotated

from fastapi import Depends, Request

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.registrations.components import Registrations
from broker.registrations.forwarding import SourceCaller
from broker.registrations.holders import RegisteredTenants

# Registrations name endpoints and the credentials sent to them: their own scopes, never
# reached through the shared tenant or a sharing grant (those allow ngsi-ld:read only).
RegistrationsRead = Annotated[Access, Depends(require(scopes.CSOURCE_READ))]
RegistrationsWrite = Annotated[Access, Depends(require(scopes.CSOURCE_WRITE))]


def _registrations(request: Request) -> Registrations:
    registrations: Registrations = request.app.state.registrations
    return registrations


RegistrationsDep = Annotated[Registrations, Depends(_registrations)]


def _source_caller(request: Request) -> SourceCaller:
    caller: SourceCaller = request.app.state.source_caller
    return caller


def _hop_id(request: Request) -> str:
    hop: str = request.app.state.hop_id
    return hop


def _registered(request: Request) -> RegisteredTenants:
    registered: RegisteredTenants = request.app.state.registered_tenants
    return registered


SourceCallerDep = Annotated[SourceCaller, Depends(_source_caller)]
HopIdDep = Annotated[str, Depends(_hop_id)]
RegisteredTenantsDep = Annotated[RegisteredTenants, Depends(_registered)]
