"""authlib's OAuth 2.0 authorization server, fitted to Renkei's async store.

authlib's server is synchronous: it asks for clients and keys through plain method calls. Each
call through :class:`TokenEndpoints` therefore loads what authlib will ask for first (the
client named in the request, the signing or verification keys) and hands it over in a context
variable; writes that authlib asks for (a revoked token) are collected there and stored after.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from auth import scopes
from auth.clients.models import Client
from auth.clients.service import check_secret

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass
class Call:
    """What one token or revocation request has loaded for authlib, and what it revoked."""

    clients: dict[str, Client]
    signing_key: RSAKey | None = None
    verification_keys: KeySet | None = None
    revoked: list[dict[str, Any]] = field(default_factory=list)


current_call: ContextVar[Call] = ContextVar("renkei_oauth_call")


class ClientAdapter(ClientMixin):
    """A stored client as authlib sees it: confidential, client credentials only."""

    def __init__(self, row: Client) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes the client holds (all of its scopes when none are requested);
        None, which authlib answers with invalid_scope, when it holds none of them."""
        if not scope:
            return " ".join(self.row.scopes)
        allowed = [s for s in scope.split() if s in self.row.scopes]
        return " ".join(allowed) if allowed else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return self.row.active and check_secret(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return self.row.active and grant_type == ClientCredentialsGrant.GRANT_TYPE


class FormRequest(OAuth2Request):
    """An already-read form POST (token and revocation endpoints take only forms)."""

    def __init__(self, uri: str, headers: Mapping[str, str], form: dict[str, str]) -> None:
        super().__init__("POST", uri, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


class _ClientCredentials(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS


class _JwtGenerator(JWTBearerTokenGenerator):
    """RFC 9068 access tokens; `tenants` names the tenants the client may act in."""

    def __init__(self, issuer: str, audience: str, ttl: int) -> None:
        super().__init__(issuer=issuer, alg="RS256", expires_generator=ttl)
        self.audience = audience

    def get_jwks(self) -> KeySet:
        key = current_call.get().signing_key
        assert key is not None
        return KeySet([key])

    def get_audiences(self, client: ClientAdapter, user: Any, scope: str) -> str:
        return self.audience

    def get_extra_claims(
        self, client: ClientAdapter, grant_type: str, user: Any, scope: str
    ) -> dict[str, Any]:
        return {"tenants": client.row.tenants}


class _RevokableToken:
    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = claims

    def check_client(self, client: ClientAdapter) -> bool:
        return bool(self.claims.get("client_id") == client.get_client_id())


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS
    SUPPORTED_TOKEN_TYPES = ("access_token",)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        keys = current_call.get().verification_keys
        assert keys is not None
        try:
            token = jwt.decode(token_string, keys, algorithms=["RS256"])
        except (JoseError, ValueError):
            return None  # RFC 7009 2.2: an invalid token needs no revocation
        return _RevokableToken(token.claims)

    def revoke_token(self, token: _RevokableToken, request: FormRequest) -> None:
        current_call.get().revoked.append(token.claims)


class OAuthServer(AuthorizationServer):
    def __init__(self, *, issuer: str, audience: str, ttl: int) -> None:
        super().__init__(scopes_supported=list(scopes.SCOPES))
        self.register_grant(_ClientCredentials)
        self.register_token_generator("default", _JwtGenerator(issuer, audience, ttl))
        self.register_endpoint(_Revocation)

    def query_client(self, client_id: str) -> ClientAdapter | None:
        row = current_call.get().clients.get(client_id)
        return ClientAdapter(row) if row is not None else None

    def save_token(self, token: dict[str, Any], request: FormRequest) -> None:
        """JWT access tokens are self-contained: nothing to store."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signal receivers."""

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, headers
