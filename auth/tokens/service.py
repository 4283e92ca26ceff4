"""The token endpoint (RFC 6749 4.4, RFC 9068) and token revocation (RFC 7009)."""

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy.ext.asyncio import AsyncSession

from auth.clients.repository import ClientRepository
from auth.keys.service import KeyRing
from auth.tokens.repository import RevokedTokenRepository
from auth.tokens.server import Call, FormRequest, OAuthServer, current_call


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


class TokenEndpoints:
    def __init__(self, keyring: KeyRing, *, issuer: str, audience: str, ttl: int) -> None:
        self.keyring = keyring
        self.server = OAuthServer(issuer=issuer, audience=audience, ttl=ttl)

    async def _call(
        self, session: AsyncSession, form: dict[str, str], headers: Mapping[str, str]
    ) -> Call:
        client_id = _client_id(form, headers)
        row = await ClientRepository(session).get(client_id) if client_id else None
        return Call(clients={row.id: row} if row else {})

    async def issue(
        self, session: AsyncSession, *, uri: str, form: dict[str, str], headers: Mapping[str, str]
    ) -> OAuthResponse:
        """4.4 Client Credentials Grant: a signed JWT access token, or an OAuth2 error."""
        call = await self._call(session, form, headers)
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
        return OAuthResponse(status, body, response_headers)
