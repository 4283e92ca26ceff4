"""The token endpoints and the issuer URL the app started, as typed dependencies."""

from typing import Annotated

from fastapi import Depends, Request

from auth.tokens.service import TokenEndpoints


def _endpoints(request: Request) -> TokenEndpoints:
    endpoints: TokenEndpoints = request.app.state.token_endpoints
    return endpoints


def _issuer(request: Request) -> str:
    issuer: str = request.app.state.issuer
    return issuer


TokenEndpointsDep = Annotated[TokenEndpoints, Depends(_endpoints)]
IssuerDep = Annotated[str, Depends(_issuer)]
