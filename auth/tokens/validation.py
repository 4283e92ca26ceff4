"""Validation of bearer tokens: this server's own (RFC 9068) and configured external issuers'.

A token verified once is remembered until it expires (bounded cache), so the signature check
is not repeated on every request; what can change before expiry — the client being revoked,
its scopes, tenants or entity types being narrowed, the token being revoked — is checked on
every request against the directory snapshot.
"""

import time
from collections import OrderedDict
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from auth.claims import peek, words
from auth.directory import Directory
from auth.keys.service import ALGORITHM, KeyRing
from auth.oidc import ExternalIssuers
from auth.principals import ALL_TENANTS, Principal
from broker.core.errors import Unauthorized

_CACHE_SIZE = 10_000


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(detail, error="invalid_token")


def _within(granted: frozenset[str], allowed: frozenset[str]) -> frozenset[str]:
    if ALL_TENANTS in allowed:
        return granted
    if ALL_TENANTS in granted:
        return allowed
    return granted & allowed


class Authenticator:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keyring: KeyRing,
        directory: Directory,
        external: ExternalIssuers,
        leeway: int,
    ) -> None:
        self.issuer = issuer
        self.leeway = leeway
        self.audience = audience
        self.keyring = keyring
        self.directory = directory
        self.external = external
        self._verified: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._registry = JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            jti={"essential": True},
            client_id={"essential": True},
        )

    async def principal(self, token: str) -> Principal:
        header, unverified = peek(token)
        issuer = str(unverified.get("iss", ""))
        if issuer == self.issuer:
            return await self._own(token, header)
        if self.external.accepts(issuer):
            return await self.external.principal(token, issuer, header.get("kid"))
        raise _invalid(f"tokens of issuer {issuer!r} are not accepted")

    async def _verified_claims(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        if str(header.get("typ", "")).lower() not in ("at+jwt", "application/at+jwt"):
            raise _invalid("not an access token (typ must be at+jwt)")
        key = await self.keyring.public_key(str(header.get("kid", "")))
        if key is None:
            raise _invalid("the token is signed with an unknown key")
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM]).claims
            self._registry.validate(claims)
        except (JoseError, ValueError) as exc:
            raise _invalid(f"invalid access token: {exc}") from exc
        self._verified[token] = (claims, float(claims["exp"]))
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return claims

    async def _own(self, token: str, header: dict[str, Any]) -> Principal:
        claims = await self._verified_claims(token, header)
        if float(claims["exp"]) + self.leeway < time.time():
            raise _invalid("the access token has expired")
        issued = claims.get("iat")
        client = await self.directory.client(
            str(claims["client_id"]), issued_at=float(issued) if issued is not None else None
        )
        if client is None or not client.active:
            raise _invalid("the client of this token is revoked")
        if await self.directory.is_revoked(str(claims["jti"])):
            raise _invalid("the access token is revoked")
        return Principal(
            subject=str(claims.get("sub", client.id)),
            client_id=client.id,
            scopes=frozenset(words(claims.get("scope"))) & client.scopes,
            tenants=_within(frozenset(words(claims.get("tenants"))), client.tenants),
            entity_types=client.entity_types,
            issuer=self.issuer,
        )
