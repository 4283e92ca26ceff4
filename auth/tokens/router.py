"""OAuth 2.0 endpoints: token (RFC 6749 4.4), revocation (RFC 7009), JWKS and server metadata."""

from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from auth import scopes
from auth.dependencies import TOKEN_URL
from auth.keys.dependencies import KeyRingDep
from auth.tokens.dependencies import IssuerDep, TokenEndpointsDep
from auth.tokens.server import AUTH_METHODS
from auth.tokens.service import OAuthResponse
from broker.core.db import SessionDep
from broker.core.routing import RenkeiRoute

router = APIRouter(tags=["oauth2"], route_class=RenkeiRoute)
REVOKE_URL = "/oauth2/revoke"
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
        session, uri=issuer + TOKEN_URL, form=form, headers=request.headers
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
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "scopes_supported": list(scopes.SCOPES),
        "response_types_supported": [],
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
