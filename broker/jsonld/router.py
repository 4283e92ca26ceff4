"""@context management routes (clause 5.13): /jsonldContexts. Parsing and dependencies only."""

from typing import Annotated, Any
from urllib.parse import unquote

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.db import SessionDep
from broker.core.errors import UnsupportedMediaType
from broker.core.routing import RenkeiRoute, location
from broker.jsonld import service
from broker.jsonld.context import HOSTED_PATH
from broker.jsonld.dependencies import LD_ERRORS, ResolverDep, read_json
from broker.jsonld.negotiation import JSON, LD_JSON, media_type, negotiate

router = APIRouter(prefix="/jsonldContexts", tags=["jsonldContexts"], route_class=RenkeiRoute)

ContextsRead = Annotated[Access, Depends(require(scopes.READ))]
ContextsWrite = Annotated[Access, Depends(require(scopes.WRITE, creates_tenant=True))]
_OBJECT = {"type": "object", "additionalProperties": True}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {JSON: {"schema": _OBJECT}, LD_JSON: {"schema": _OBJECT}},
    }
}
_KIND = Query(description="Hosted, Cached or ImplicitlyCreated")


async def context_document(request: Request) -> Any:
    """The body of Add @context: JSON or JSON-LD (clause 6.3.4), parsed."""
    kind = media_type(request.headers.get("content-type"))
    if kind not in (JSON, LD_JSON):
        raise UnsupportedMediaType(f"Content-Type {kind or '(none)'} is not supported; use JSON")
    return await read_json(request)


def context_id(request: Request, context_id: str) -> str:
    """The id as the client percent-encoded it: a cached context's id is its URL, whose own
    slashes (and trailing slash) arrive encoded, so the raw path is read, decoded once."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    marker = f"{HOSTED_PATH}/".encode()
    at = raw.find(marker)
    return unquote(raw[at + len(marker) :].decode("latin-1")) if at >= 0 else context_id


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _json(body: Any, kind: str, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=kind)


ContextId = Annotated[str, Depends(context_id)]


@router.post(
    "",
    status_code=201,
    operation_id="addContext",
    openapi_extra=_BODY,
    responses={201: {"description": "Created; Location names it"}, **LD_ERRORS},
)
async def add_context(
    session: SessionDep,
    access: ContextsWrite,
    contexts: ResolverDep,
    body: Annotated[Any, Depends(context_document)],
) -> Response:
    """5.13.2 Add @context (kind Hosted, served at the Location)."""
    local_id = await service.add_context(session, access, contexts, body=body)
    return Response(status_code=201, headers={"Location": location(HOSTED_PATH, local_id)})


@router.get("", operation_id="listContexts", responses=LD_ERRORS)
async def list_contexts(
    request: Request,
    session: SessionDep,
    access: ContextsRead,
    contexts: ResolverDep,
    details: Annotated[str | None, Query(description="true: metadata, not URLs")] = None,
    kind: Annotated[str | None, _KIND] = None,
) -> Response:
    """5.13.3 List @contexts."""
    found = await service.list_contexts(
        session, access, contexts, base_url=_base_url(request), details=details, kind=kind
    )
    return _json(found, negotiate(request.headers.get("accept")))


@router.get("/{context_id:path}", operation_id="serveContext", responses=LD_ERRORS)
async def serve_context(
    request: Request,
    session: SessionDep,
    access: ContextsRead,
    contexts: ResolverDep,
    identifier: ContextId,
    details: Annotated[str | None, Query(description="true: its metadata")] = None,
) -> Response:
    """5.13.4 Serve @context (application/ld+json), or its metadata with details=true."""
    body, is_document = await service.serve_context(
        session,
        access,
        contexts,
        base_url=_base_url(request),
        context_id=identifier,
        details=details,
    )
    offers = (LD_JSON, JSON) if is_document else (JSON, LD_JSON)
    return _json(body, negotiate(request.headers.get("accept"), offers))


@router.delete(
    "/{context_id:path}", status_code=204, operation_id="deleteContext", responses=LD_ERRORS
)
async def delete_context(
    session: SessionDep,
    access: ContextsWrite,
    contexts: ResolverDep,
    identifier: ContextId,
    reload: Annotated[str | None, Query(description="true: fetch a Cached one again")] = None,
) -> Response:
    """5.13.5 Delete and Reload @context."""
    await service.delete_context(session, access, contexts, context_id=identifier, reload=reload)
    return Response(status_code=204)
