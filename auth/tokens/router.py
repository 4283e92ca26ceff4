"""OAuth 2.0 endpoints: authorization with the sign-in page (RFC 6749 4.1, RFC 7636), token
(4.1.3, 4.4), revocation (RFC 7009), JWKS and server metadata."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from auth import scopes
from auth.cookies import new_token, same, set_cookie
from auth.dependencies import TOKEN_URL
from auth.keys.dependencies import KeyRingDep
from auth.tokens.dependencies import IssuerDep, LockoutDep, SignInCookiesDep, TokenEndpointsDep
from auth.tokens.server import AUTH_METHODS
from auth.tokens.service import OAuthResponse
from auth.users.service import Outcome, sign_in
from broker.core.db import SessionDep
from broker.core.routing import RenkeiRoute

router = APIRouter(tags=["oauth2"], route_class=RenkeiRoute)
REVOKE_URL = "/oauth2/revoke"
AUTHORIZE_URL = "/oauth2/authorize"
SIGNIN_COOKIE = "renkei_signin"
# The authorization request parameters the sign-in form carries from the GET to its POST.
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
_pages = Environment(
    loader=PackageLoader("auth.tokens", "templates"), autoescape=select_autoescape()
)
_WRONG = "ユーザーIDまたはパスワードが違います。 / Wrong user ID or password."
_LOCKED = (
    "失敗が続いたため、このアカウントは一時的にロックされています。しばらくしてからお試しください。"
    " / This account is locked for a while after repeated failures."
)
_EXPIRED = "画面の有効期限が切れました。もう一度サインインしてください。 / Please sign in again."
JWKS_URL = "/.well-known/jwks.json"
_FORM = "application/x-www-form-urlencoded"
_MAX_FORM_BYTES = 16_384
_FORM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {_FORM: {"schema": {"type": "object", "additionalProperties": True}}},
    }
}


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    body = {"error": error, "error_description": description}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def _form(request: Request) -> dict[str, str] | Response:
    """The form body (RFC 6749 needs x-www-form-urlencoded; a repeated parameter is invalid)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != _FORM:
        return _oauth_error("invalid_request", f"the body must be {_FORM}")
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return _oauth_error("invalid_request", "the request body is too large")
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    form = dict(pairs)
    if len(form) != len(pairs):
        return _oauth_error("invalid_request", "a parameter is repeated")
    return form


def _respond(result: OAuthResponse) -> Response:
    headers = {k: v for k, v in result.headers if k.lower() != "content-type"}
    return Response(
        orjson.dumps(result.body),
        status_code=result.status,
        media_type="application/json",
        headers=headers,
    )


@router.post(TOKEN_URL, operation_id="oauth2Token", openapi_extra=_FORM_BODY)
async def token(
    request: Request, session: SessionDep, endpoints: TokenEndpointsDep, issuer: IssuerDep
) -> Response:
    """RFC 6749 4.4 Client Credentials Grant: a JWT access token (RFC 9068)."""
    form = await _form(request)
    if isinstance(form, Response):
        return form
    result = await endpoints.issue(
        session,
        uri=issuer + TOKEN_URL,
        form=form,
        headers=request.headers,
        address=request.client.host if request.client else None,
    )
    return _respond(result)


@router.post(REVOKE_URL, operation_id="oauth2Revoke", openapi_extra=_FORM_BODY)
async def revoke(
    request: Request, session: SessionDep, endpoints: TokenEndpointsDep, issuer: IssuerDep
) -> Response:
    """RFC 7009 Token Revocation: the calling client's access token stops working."""
    form = await _form(request)
    if isinstance(form, Response):
        return form
    result = await endpoints.revoke(
        session, uri=issuer + REVOKE_URL, form=form, headers=request.headers
    )
    return _respond(result)


def _signin_page(
    request: Request,
    signer: SignInCookiesDep,
    params: dict[str, str] | None,
    *,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The sign-in form, with a fresh CSRF token in the form and in its signed cookie."""
    nonce = new_token()
    html = _pages.get_template("signin.html").render(
        params=params, csrf=nonce, problem=problem, action=AUTHORIZE_URL
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if params:
        set_cookie(
            response,
            request,
            SIGNIN_COOKIE,
            signer.dumps({"n": nonce}),
            path=AUTHORIZE_URL,
            max_age=signer.max_age,
        )
    return response


def _authorize_params(source: Mapping[str, str]) -> dict[str, str]:
    return {name: source[name] for name in AUTHORIZE_PARAMS if source.get(name)}


@router.get(AUTHORIZE_URL, operation_id="oauth2Authorize", response_class=HTMLResponse)
async def authorize_page(
    request: Request,
    session: SessionDep,
    endpoints: TokenEndpointsDep,
    issuer: IssuerDep,
    signer: SignInCookiesDep,
) -> Response:
    """RFC 6749 4.1.1 Authorization Request (PKCE S256, public clients): the sign-in page."""
    params = _authorize_params(request.query_params)
    problem = await endpoints.check_authorization(
        session, uri=issuer + AUTHORIZE_URL, params=params
    )
    if problem is not None:
        return _signin_page(request, signer, None, problem=problem.description, status=400)
    return _signin_page(request, signer, params)


@router.post(AUTHORIZE_URL, operation_id="oauth2AuthorizeSignIn", openapi_extra=_FORM_BODY)
async def authorize(
    request: Request,
    session: SessionDep,
    endpoints: TokenEndpointsDep,
    issuer: IssuerDep,
    signer: SignInCookiesDep,
    lockout: LockoutDep,
) -> Response:
    """RFC 6749 4.1.2 Authorization Response: a person signs in; the code goes to the client."""
    form = await _form(request)
    if isinstance(form, Response):
        return form
    params = _authorize_params(form)
    uri = issuer + AUTHORIZE_URL
    problem = await endpoints.check_authorization(session, uri=uri, params=params)
    if problem is not None:
        return _signin_page(request, signer, None, problem=problem.description, status=400)
    cookie = signer.loads(request.cookies.get(SIGNIN_COOKIE)) or {}
    if not same(cookie.get("n"), form.get("csrf_token")):
        return _signin_page(request, signer, params, problem=_EXPIRED, status=403)
    result = await sign_in(
        session,
        user_id=form.get("username", ""),
        password=form.get("password", ""),
        lockout=lockout,
    )
    if result.user is None:
        problem_text = _LOCKED if result.outcome is Outcome.LOCKED else _WRONG
        return _signin_page(request, signer, params, problem=problem_text, status=401)
    answer = await endpoints.authorize(session, uri=uri, params=params, user=result.user)
    location = dict((k.lower(), v) for k, v in answer.headers).get("location", "")
    response = RedirectResponse(location, status_code=302)
    response.delete_cookie(SIGNIN_COOKIE, path=AUTHORIZE_URL)
    return response


@router.get(JWKS_URL, operation_id="jwks")
async def jwks(keyring: KeyRingDep) -> Response:
    """RFC 7517 JWK Set: the public keys access tokens are signed with."""
    body = await keyring.jwks()
    return Response(orjson.dumps(body), media_type="application/jwk-set+json")


def _metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_URL,
        "revocation_endpoint": issuer + REVOKE_URL,
        "jwks_uri": issuer + JWKS_URL,
        "authorization_endpoint": issuer + AUTHORIZE_URL,
        "grant_types_supported": ["client_credentials", "authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [*AUTH_METHODS, "none"],
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "scopes_supported": list(scopes.SCOPES),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
    }


@router.get("/.well-known/openid-configuration", operation_id="openidConfiguration")
async def openid_configuration(issuer: IssuerDep) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0 metadata of the built-in authorization server."""
    return _metadata(issuer)


@router.get("/.well-known/oauth-authorization-server", operation_id="oauthServerMetadata")
async def oauth_server_metadata(issuer: IssuerDep) -> dict[str, Any]:
    """RFC 8414 authorization server metadata (the same document)."""
    return _metadata(issuer)
