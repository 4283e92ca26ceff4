"""Request dependencies every NGSI-LD route shares: the parsed body and its @context, and the
representation (media type and @context) of the response."""

from dataclasses import dataclass, replace
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from starlette.responses import Response

from broker.core.errors import (
    BadRequestData,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from broker.core.tenancy import TENANT_HEADER, tenant_name
from broker.jsonld.context import CORE_CONTEXT_URL, Context, ContextResolver, LocalContext
from broker.jsonld.negotiation import (
    GEO_JSON,
    JSON,
    LD_JSON,
    MERGE_PATCH_JSON,
    link_context,
    link_header,
    media_type,
    negotiate,
)
from broker.jsonld.service import hosted_lookup


def resolver(request: Request) -> ContextResolver:
    return request.app.state.contexts


ResolverDep = Annotated[ContextResolver, Depends(resolver)]


async def resolve(request: Request, local: LocalContext | None) -> Context:
    """The processed @context a request names; URLs of contexts hosted in the request's tenant
    (clause 5.13) resolve from the database, never over HTTP."""
    tenant = tenant_name(request.headers.get(TENANT_HEADER))
    return await resolver(request).resolve(
        local, hosted=hosted_lookup(request.app.state.db, tenant)
    )


async def read_json(request: Request) -> Any:
    """The request body parsed as JSON, refused past the configured size."""
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"request body exceeds {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLarge(f"request body exceeds {limit} bytes")
    if not body:
        raise InvalidRequest("request body is empty")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"request body is not valid JSON: {exc}") from exc
    settings = request.app.state.settings
    check_json_shape(data, max_depth=settings.max_json_depth, max_members=settings.max_json_members)
    return data


def check_json_shape(data: Any, *, max_depth: int, max_members: int) -> None:
    """Bodies within bounds that every later step can afford (clause 6.3: 400 BadRequestData):
    nesting at most `max_depth` deep, no object or array of more than `max_members` members
    (an entity of 100,000 attributes fits in a megabyte)."""
    level: list[Any] = [data] if isinstance(data, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise BadRequestData(f"the body nests deeper than {max_depth} levels")
        following: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            if len(node) > max_members:
                raise BadRequestData(
                    f"a JSON object or array of the body has more than {max_members} members"
                )
            following.extend(c for c in children if isinstance(c, dict | list))
        level = following


@dataclass(frozen=True, slots=True)
class LdInput:
    """A JSON body and the @context it is to be expanded with (`named`: as the request wrote it:
    the inline @context of JSON-LD, the Link URL of JSON, None when it named none)."""

    data: Any
    context: Context
    named: Any = None


async def ld_input(request: Request) -> LdInput:
    """Clauses 6.3.4, 6.3.5: the Content-Type is checked (415); JSON bodies take their @context
    from the Link header, JSON-LD inline."""
    kind = media_type(request.headers.get("content-type"))
    # Clause 6.3.4: JSON or JSON-LD; PATCH also takes JSON Merge Patch (RFC 7396).
    allowed = (JSON, LD_JSON, MERGE_PATCH_JSON) if request.method == "PATCH" else (JSON, LD_JSON)
    if kind not in allowed:
        raise UnsupportedMediaType(
            f"Content-Type {kind or '(none)'} is not supported on {request.method}; "
            f"use {' or '.join(allowed)}"
        )
    linked = link_context(request.headers.get("link"))
    data = await read_json(request)
    if kind == LD_JSON:
        if linked is not None:
            raise BadRequestData(
                "application/ld+json requests carry @context in the body, not Link"
            )
        local = _inline_context(data)
        if local is None:
            raise BadRequestData("application/ld+json body must contain an @context")
    else:
        if _inline_context(data) is not None:
            raise BadRequestData(
                "application/json body must not contain @context; use a Link header or "
                "Content-Type application/ld+json"
            )
        local = linked
    context = await resolve(request, local)
    return LdInput(data=data, context=context, named=local)


def _inline_context(data: Any) -> Any:
    if isinstance(data, dict):
        return data.get("@context")
    if isinstance(data, list):
        contexts = [item.get("@context") for item in data if isinstance(item, dict)]
        return next((c for c in contexts if c is not None), None)
    return None


@dataclass(frozen=True, slots=True)
class LdContext:
    """The @context a request names in its Link header (the core context when none)."""

    context: Context
    url: str | None


async def ld_context(request: Request) -> LdContext:
    url = link_context(request.headers.get("link"))
    return LdContext(context=await resolve(request, url), url=url)


LdContextDep = Annotated[LdContext, Depends(ld_context)]


@dataclass(frozen=True, slots=True)
class LdOutput:
    """How to represent a response: media type (from Accept) and the @context the request named
    (Link header, or the body's @context for a query sent in the body).

    Clause 6.3.5: a JSON-LD response carries that @context as the request named it (a string
    stays a string, a list that list; the core context is not added), the core context URL when
    the request named none; a JSON response names the first context URL in a Link header.
    """

    media_type: str
    context: Context
    named: Any

    @property
    def context_value(self) -> Any:
        return CORE_CONTEXT_URL if self.named is None else self.named

    @property
    def link_url(self) -> str:
        items = self.named if isinstance(self.named, list) else [self.named]
        return next((i for i in items if isinstance(i, str)), CORE_CONTEXT_URL)

    def named_by(self, body: LdInput) -> "LdOutput":
        """This representation with the @context a request body named (POST queries)."""
        return replace(self, context=body.context, named=body.named)

    def response(
        self, body: Any, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        headers = dict(headers or {})
        if self.media_type == LD_JSON:
            if isinstance(body, dict):
                body = {**body, "@context": self.context_value}
            elif isinstance(body, list):
                body = [{**item, "@context": self.context_value} for item in body]
        else:
            headers["Link"] = link_header(self.link_url)
        return Response(
            orjson.dumps(body), status_code=status, media_type=self.media_type, headers=headers
        )


async def ld_output(request: Request, ld: LdContextDep) -> LdOutput:
    kind = negotiate(request.headers.get("accept"))
    return LdOutput(media_type=kind, context=ld.context, named=ld.url)


async def geo_output(request: Request, ld: LdContextDep) -> LdOutput:
    """As ld_output, also offering application/geo+json (Retrieve and Query Entities)."""
    kind = negotiate(request.headers.get("accept"), (JSON, LD_JSON, GEO_JSON))
    return LdOutput(media_type=kind, context=ld.context, named=ld.url)


LdBody = Annotated[LdInput, Depends(ld_input)]
_ANY_OBJECT = {"type": "object", "additionalProperties": True}
# openapi_extra of a route taking an LdBody: a JSON object as application/json or ld+json.
LD_BODY_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {JSON: {"schema": _ANY_OBJECT}, LD_JSON: {"schema": _ANY_OBJECT}},
    }
}
# The error responses an NGSI-LD route documents besides its own.
LD_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "BadRequestData or InvalidRequest (application/problem+json)"},
    404: {"description": "ResourceNotFound or NonexistentTenant"},
}
LdAccept = Annotated[LdOutput, Depends(ld_output)]
GeoAccept = Annotated[LdOutput, Depends(geo_output)]
