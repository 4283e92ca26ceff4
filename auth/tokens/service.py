"""The authorization endpoint (RFC 6749 4.1 with RFC 7636 PKCE), the token endpoint (4.1.3,
4.4, RFC 9068) and token revocation (RFC 7009)."""

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from authlib.oauth2 import OAuth2Error
from sqlalchemy.ext.asyncio import AsyncSession

from auth.clients.repository import ClientRepository
from auth.keys.service import KeyRing
from auth.limits import FailureThrottle
from auth.tokens.repository import AuthorizationCodeRepository, RevokedTokenRepository
from auth.tokens.server import (
    Call,
    FormRequest,
    OAuthServer,
    UserAdapter,
    code_hash,
    current_call,
)
from auth.users.models import User
from auth.users.service import get_user


@dataclass(frozen=True, slots=True)
class OAuthResponse:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


def _client_id(form: dict[str, str], headers: Mapping[str, str]) -> str | None:
    """The client a request authenticates as (Basic header or form), read ahead of authlib."""
    authorization = headers.get("authorization", "")
    if authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return unquote(decoded.partition(":")[0])  # RFC 6749 2.3.1: form-urlencoded
    return form.get("client_id")


@dataclass(frozen=True, slots=True)
class AuthorizationProblem:
    """Why an authorization request cannot go on (shown to the person, never redirected)."""

    error: str
    description: str


def _one_client_failure(result: OAuthResponse) -> OAuthResponse:
    """An unknown client, a wrong secret and a revoked client answer with one description, so
    the endpoint tells nobody which client ids exist."""
    if result.body.get("error") != "invalid_client":
        return result
    body = {"error": "invalid_client", "error_description": "client authentication failed"}
    return OAuthResponse(result.status, body, result.headers)


def _throttled(wait: float) -> OAuthResponse:
    seconds = str(max(1, math.ceil(wait)))
    body = {
        "error": "invalid_request",
        "error_description": f"too many failed attempts; try again in {seconds} s",
    }
    return OAuthResponse(429, body, [("Retry-After", seconds)])


class TokenEndpoints:
    def __init__(
        self,
        keyring: KeyRing,
        *,
        issuer: str,
        audience: str,
        ttl: int,
        throttle: FailureThrottle | None = None,
    ) -> None:
        self.keyring = keyring
        self.throttle = throttle or FailureThrottle(per_client=0, per_address=0)
        self.server = OAuthServer(issuer=issuer, audience=audience, ttl=ttl)
        self.redirect_uris: dict[str, tuple[str, ...]] = {}

    def register_redirect_uris(self, client_id: str, uris: tuple[str, ...]) -> None:
        """Where the public client `client_id` may receive authorization codes."""
        self.redirect_uris[client_id] = uris

    async def _call(
        self, session: AsyncSession, form: dict[str, str], headers: Mapping[str, str]
    ) -> Call:
        client_id = _client_id(form, headers)
        row = await ClientRepository(session).get(client_id) if client_id else None
        return Call(clients={row.id: row} if row else {}, redirect_uris=self.redirect_uris)

    async def check_authorization(
        self, session: AsyncSession, *, uri: str, params: dict[str, str]
    ) -> AuthorizationProblem | None:
        """4.1.1: whether the request names a public client, one of its redirect URIs, the
        code response type and an S256 challenge (before anyone is asked to sign in)."""
        reset = current_call.set(await self._call(session, params, {}))
        try:
            self.server.get_consent_grant(FormRequest(uri, {}, params))
        except OAuth2Error as error:
            return AuthorizationProblem(error.error or "invalid_request", error.description)
        finally:
            current_call.reset(reset)
        return None

    async def authorize(
        self, session: AsyncSession, *, uri: str, params: dict[str, str], user: User
    ) -> OAuthResponse:
        """4.1.2: a code for the signed-in user, as a redirect to the client."""
        call = await self._call(session, params, {})
        reset = current_call.set(call)
        try:
            request = FormRequest(uri, {}, params)
            grant = self.server.get_consent_grant(request, end_user=UserAdapter(user))
            status, body, headers = self.server.create_authorization_response(
                request, grant_user=UserAdapter(user), grant=grant
            )
        finally:
            current_call.reset(reset)
        for _, row in call.new_codes:
            await AuthorizationCodeRepository(session).add(row)
        return OAuthResponse(status, body if isinstance(body, dict) else {}, headers)

    async def _load_code(self, session: AsyncSession, call: Call, form: dict[str, str]) -> None:
        """The code of an exchange, taken (deleted) now, and its active user."""
        if form.get("grant_type") != "authorization_code" or not form.get("code"):
            return
        call.code = await AuthorizationCodeRepository(session).take(code_hash(form["code"]))
        if call.code is not None:
            call.user = await get_user(session, call.code.user_id)

    async def issue(
        self,
        session: AsyncSession,
        *,
        uri: str,
        form: dict[str, str],
        headers: Mapping[str, str],
        address: str | None = None,
    ) -> OAuthResponse:
        """4.4 Client Credentials and 4.1.3 Authorization Code grants: a signed JWT access
        token, or an OAuth2 error; 429 while the client id or address has failed too often."""
        client_id = _client_id(form, headers)
        wait = self.throttle.wait(client_id, address)
        if wait > 0:
            return _throttled(wait)
        result = await self._issue(session, uri=uri, form=form, headers=headers)
        if result.status == 401:  # invalid_client
            self.throttle.failed(client_id, address)
        return _one_client_failure(result)

    async def _issue(
        self, session: AsyncSession, *, uri: str, form: dict[str, str], headers: Mapping[str, str]
    ) -> OAuthResponse:
        call = await self._call(session, form, headers)
        await self._load_code(session, call, form)
        call.signing_key = await self.keyring.signing_key()
        reset = current_call.set(call)
        try:
            status, body, response_headers = self.server.create_token_response(
                FormRequest(uri, headers, form)
            )
        finally:
            current_call.reset(reset)
        return OAuthResponse(status, body, response_headers)

    async def revoke(
        self, session: AsyncSession, *, uri: str, form: dict[str, str], headers: Mapping[str, str]
    ) -> OAuthResponse:
        """RFC 7009: revoke an access token of the calling client."""
        call = await self._call(session, form, headers)
        call.verification_keys = await self.keyring.verification_keys()
        reset = current_call.set(call)
        try:
            status, body, response_headers = self.server.create_endpoint_response(
                "revocation", FormRequest(uri, headers, form)
            )
        finally:
            current_call.reset(reset)
        rows = [
            {
                "jti": str(claims["jti"]),
                "client_id": str(claims["client_id"]),
                "expires_at": datetime.fromtimestamp(int(claims["exp"]), UTC),
            }
            for claims in call.revoked
            if "jti" in claims and "exp" in claims
        ]
        if rows:
            await RevokedTokenRepository(session).revoke(rows)
        return _one_client_failure(OAuthResponse(status, body, response_headers))
