"""The token endpoints and the issuer URL the app started, as typed dependencies."""

from typing import Annotated

from fastapi import Depends, Request

from auth.cookies import CookieSigner
from auth.tokens.service import TokenEndpoints
from auth.users.service import Lockout


def _endpoints(request: Request) -> TokenEndpoints:
    endpoints: TokenEndpoints = request.app.state.token_endpoints
    return endpoints


def _issuer(request: Request) -> str:
    issuer: str = request.app.state.issuer
    return issuer


TokenEndpointsDep = Annotated[TokenEndpoints, Depends(_endpoints)]
IssuerDep = Annotated[str, Depends(_issuer)]


def _signin_cookies(request: Request) -> CookieSigner:
    signer: CookieSigner = request.app.state.signin_cookies
    return signer


def _lockout(request: Request) -> Lockout:
    lockout: Lockout = request.app.state.signin_lockout
    return lockout


SignInCookiesDep = Annotated[CookieSigner, Depends(_signin_cookies)]
LockoutDep = Annotated[Lockout, Depends(_lockout)]
