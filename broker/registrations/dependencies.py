"""Dependencies of the registration routes: the caller's access and the registrations service."""

from typing import Annotated

from fastapi import Depends, Request

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.registrations.components import Registrations

# Registrations name endpoints and the credentials sent to them: their own scopes, never
# reached through the shared tenant or a sharing grant (those allow ngsi-ld:read only).
RegistrationsRead = Annotated[Access, Depends(require(scopes.CSOURCE_READ))]
RegistrationsWrite = Annotated[Access, Depends(require(scopes.CSOURCE_WRITE))]


def _registrations(request: Request) -> Registrations:
    registrations: Registrations = request.app.state.registrations
    return registrations


RegistrationsDep = Annotated[Registrations, Depends(_registrations)]
