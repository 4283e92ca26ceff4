"""Access tokens of external OIDC issuers (e.g. a Keycloak realm per prefecture).

Each configured issuer's JWKS is fetched (from `jwks_uri`, or found through the issuer's
openid-configuration), cached, and fetched again when a token names an unknown key id — at
most once per RENKEI_JWKS_REFRESH_INTERVAL seconds, so bad tokens cannot make Renkei hammer the
identity provider. Claims map to tenants and scopes as each issuer's configuration says.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from auth import scopes
from auth.claims import claim, words
from auth.principals import Principal
from auth.settings import ExternalIssuer
from auth.types import type_iris
from broker.core.errors import Unauthorized

log = logging.getLogger("renkei.auth.oidc")
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


@dataclass
class _Keys:
    keys: KeySet | None = None
    fetched_at: float = -float("inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ExternalIssuers:
    def __init__(
        self,
        issuers: list[ExternalIssuer],
        *,
        http: httpx.AsyncClient,
        cache_ttl: float,
        refresh_interval: float,
        leeway: int,
    ) -> None:
        self._leeway = leeway
        self._issuers = {i.issuer.rstrip("/"): i for i in issuers}
        self._http = http
        self._ttl = cache_ttl
        self._refresh = refresh_interval
        self._keys: dict[str, _Keys] = {name: _Keys() for name in self._issuers}

    def accepts(self, issuer: str) -> bool:
        return issuer.rstrip("/") in self._issuers

    async def _fetch(self, config: ExternalIssuer) -> KeySet:
        uri = config.jwks_uri
        if uri is None:
            discovery = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            uri = (await self._get_json(discovery))["jwks_uri"]
        document = await self._get_json(str(uri))
        return KeySet.import_key_set(document)  # type: ignore[arg-type]

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._http.get(url)
        response.raise_for_status()
        value = response.json()
        if not isinstance(value, dict):
            raise ValueError(f"{url} did not return a JSON object")
        return value

    async def _key_set(self, config: ExternalIssuer, kid: str | None) -> KeySet:
        entry = self._keys[config.issuer.rstrip("/")]
        now = time.monotonic()
        known = entry.keys is not None and (
            kid is None or any(k.kid == kid for k in entry.keys.keys)
        )
        expired = now - entry.fetched_at > self._ttl
        if (not known or expired) and now - entry.fetched_at > self._refresh:
            async with entry.lock:
                if time.monotonic() - entry.fetched_at > self._refresh:
                    try:
                        entry.keys = await self._fetch(config)
                    except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
                        log.warning("cannot fetch JWKS of %s: %s", config.issuer, exc)
                    entry.fetched_at = time.monotonic()
        if entry.keys is None:
            raise Unauthorized(f"keys of issuer {config.issuer} are not available")
        return entry.keys

    async def principal(self, token: str, issuer: str, kid: str | None) -> Principal:
        config = self._issuers[issuer.rstrip("/")]
        keys = await self._key_set(config, kid)
        try:
            verified = jwt.decode(token, keys, algorithms=ALGORITHMS)
            options: dict[str, Any] = {
                "iss": {"essential": True, "value": config.issuer},
                "exp": {"essential": True},
            }
            if config.audience:
                options["aud"] = {"essential": True, "value": config.audience}
            JWTClaimsRegistry(leeway=self._leeway, **options).validate(verified.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthorized(f"invalid access token: {exc}", error="invalid_token") from exc
        return self._map(config, verified.claims)

    def _map(self, config: ExternalIssuer, claims: dict[str, Any]) -> Principal:
        granted = {config.scope_map.get(w, w) for w in words(claim(claims, config.scopes_claim))}
        tenants = {config.tenant_map.get(w, w) for w in words(claim(claims, config.tenants_claim))}
        client = claim(claims, config.client_claim)
        types = type_iris(config.entity_types)
        return Principal(
            subject=str(claims.get("sub") or client or "unknown"),
            client_id=str(client) if client else None,
            scopes=frozenset(granted & set(scopes.SCOPES)),
            tenants=frozenset(tenants),
            entity_types=frozenset(types) if types is not None else None,
            issuer=config.issuer,
        )
