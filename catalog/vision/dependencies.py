"""What a vision request needs: the caller's principal with its scope, and the registry's
environment (the guard's tenants and shared tenant, the vocabulary's processed @context)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from auth import scopes
from auth.dependencies import require_principal
from auth.guard import Guard
from auth.principals import Principal
from broker.jsonld.context import Context, ContextResolver
from catalog.vision.entities import TERMS


@dataclass(frozen=True, slots=True)
class Registry:
    """The shared tenant the entries live in, the tenants they belong to, their @context."""

    guard: Guard
    context: Context

    @property
    def shared_tenant(self) -> str:
        return self.guard.shared_tenant


async def _registry(request: Request) -> Registry:
    resolver: ContextResolver = request.app.state.contexts
    return Registry(guard=request.app.state.guard, context=await resolver.resolve(TERMS))


RegistryDep = Annotated[Registry, Depends(_registry)]
VisionRead = Annotated[Principal, Depends(require_principal(scopes.VISION_READ))]
VisionWrite = Annotated[Principal, Depends(require_principal(scopes.VISION_WRITE))]
