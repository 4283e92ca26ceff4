"""What every v2 route takes: declared auth in the Fiware-Service tenant, the service path, the
v2 default @context."""

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.ext.asyncio import AsyncSession

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.db import SessionDep
from broker.core.errors import BadRequestData
from broker.core.tenancy import FIWARE_SERVICE_HEADER
from broker.jsonld.context import Context
from broker.jsonld.dependencies import ResolverDep

V2Read = Annotated[Access, Depends(require(scopes.READ, tenant_header=FIWARE_SERVICE_HEADER))]
V2Write = Annotated[Access, Depends(require(scopes.WRITE, tenant_header=FIWARE_SERVICE_HEADER))]

_PATH = re.compile(r"^/(?:[A-Za-z0-9_]{1,50}(?:/[A-Za-z0-9_]{1,50}){0,9}(?:/#)?|#)?$")


@dataclass(frozen=True, slots=True)
class ServicePath:
    """Fiware-ServicePath: where a write puts the entity (one path; "/" is the root, no
    scope) and what a read sees (up to 10 paths, `/a/#` for a subtree)."""

    paths: tuple[str, ...]

    @property
    def scope(self) -> str | None:
        """The NGSI-LD scope of an entity written under this path."""
        if len(self.paths) != 1 or self.paths[0].endswith("#"):
            raise BadRequestData("a write takes one Fiware-ServicePath, without '#'")
        return None if self.paths[0] == "/" else self.paths[0]

    @property
    def scope_query(self) -> tuple[tuple[str, ...], ...] | None:
        """The scopeQ of a read: None (every entity) for `/`, `/#` or no header."""
        if any(p in ("/", "/#") for p in self.paths):
            return None
        return tuple((p,) for p in self.paths)


def service_path(
    header: Annotated[
        str | None,
        Header(alias="Fiware-ServicePath", description="service path(s), e.g. /Kanagawa/#"),
    ] = None,
) -> ServicePath:
    if header is None or header.strip() == "":
        return ServicePath(("/",))
    paths = tuple(p.strip() for p in header.split(","))
    if len(paths) > 10 or not all(_PATH.match(p) for p in paths):
        raise BadRequestData(
            "Fiware-ServicePath must be absolute paths of alphanumeric levels, at most 10"
        )
    return ServicePath(paths)


def v2_context(resolver: ResolverDep) -> Context:
    """The v2 default @context: the core context, so v2 names are LD names without a Link."""
    return resolver.core


ServicePathDep = Annotated[ServicePath, Depends(service_path)]
V2Context = Annotated[Context, Depends(v2_context)]


@dataclass(frozen=True)
class V2Request:
    """Who asks, where (tenant in `access`, service path) and with which @context."""

    session: AsyncSession
    access: Access
    path: ServicePath
    context: Context


def read_request(
    session: SessionDep, access: V2Read, path: ServicePathDep, context: V2Context
) -> V2Request:
    return V2Request(session, access, path, context)


def write_request(
    session: SessionDep, access: V2Write, path: ServicePathDep, context: V2Context
) -> V2Request:
    return V2Request(session, access, path, context)


ReadRequest = Annotated[V2Request, Depends(read_request)]
WriteRequest = Annotated[V2Request, Depends(write_request)]
