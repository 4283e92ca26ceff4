"""Auth as FastAPI dependencies: routes declare the scope they need, nothing is coded inline.

    EntitiesRead = Annotated[Access, Depends(require(scopes.READ))]

`require` authenticates the bearer token, reads the tenant header, and returns the request's
Access (or raises 401/403/404). `require_principal` is for routes outside any one tenant
(administration, audit). Both leave the principal on `request.state` for the audit log.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from auth import scopes
from auth.guard import Guard
from auth.principals import Access, Principal
from broker.core.errors import BadRequestData, Forbidden
from broker.core.tenancy import TENANT_HEADER, tenant_name

TOKEN_URL = "/oauth2/token"

# Declares the scheme in OpenAPI (Swagger UI's Authorize); the guard reads the header itself.
oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=scopes.SCOPES)
    ),
    scheme_name="oauth2",
    auto_error=False,
)


def guard(request: Request) -> Guard:
    return request.app.state.guard


async def authenticate(request: Request) -> Principal:
    """The request's principal (401 without valid credentials), kept on request.state."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        principal = await guard(request).principal(request.headers.get("authorization"))
        request.state.principal = principal
    return principal


def require(
    scope: str, *, tenant_header: str = TENANT_HEADER, creates_tenant: bool = False
) -> Callable[..., Awaitable[Access]]:
    """A dependency giving the request's Access in the tenant named by `tenant_header`."""

    async def dependency(
        request: Request,
        _token: Annotated[str | None, Security(oauth2_scheme, scopes=[scope])],
        header: Annotated[
            str | None,
            Header(alias=tenant_header, description="the tenant to act in (default: default)"),
        ] = None,
    ) -> Access:
        request.state.scope = scope
        if len(request.headers.getlist(tenant_header)) > 1:
            raise BadRequestData(f"{tenant_header} must be given once")
        principal = await authenticate(request)
        tenant = tenant_name(header, tenant_header)
        request.state.tenant = tenant
        access = await guard(request).access(
            principal, scope=scope, tenant=tenant, creates_tenant=creates_tenant
        )
        request.state.access = access
        return access

    _mark(dependency, scope)
    return dependency


def require_principal(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency giving the request's Principal, which must hold `scope`."""

    async def dependency(
        request: Request, _token: Annotated[str | None, Security(oauth2_scheme, scopes=[scope])]
    ) -> Principal:
        request.state.scope = scope
        principal = await authenticate(request)
        if not principal.has_scope(scope):
            raise Forbidden(f"this request needs the scope {scope}")
        return principal

    _mark(dependency, scope)
    return dependency


def _mark(dependency: Any, scope: str) -> None:
    """Lets tests find the scope every route requires."""
    dependency.renkei_scope = scope
