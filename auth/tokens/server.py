"""authlib's OAuth 2.0 authorization server, fitted to Renkei's async store.

authlib's server is synchronous: it asks for clients and keys through plain method calls. Each
call through :class:`TokenEndpoints` therefore loads what authlib will ask for first (the
client named in the request, the signing or verification keys) and hands it over in a context
variable; writes that authlib asks for (a revoked token, a new authorization code) are collected
there and stored after.

Two kinds of client: confidential ones (client credentials, a secret) and public ones (a
browser application such as the console: authorization code with PKCE S256, no secret, only
the redirect URIs registered with :class:`TokenEndpoints`).
"""

import hashlib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from auth import scopes
from auth.clients.models import Client
from auth.clients.service import check_secret, is_public
from auth.tokens.models import AuthorizationCode
from auth.users.models import User
from auth.users.roles import ROLES

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass
class Call:
    """What one token or revocation request has loaded for authlib, and what it revoked."""

    clients: dict[str, Client]
    redirect_uris: dict[str, tuple[str, ...]] = field(default_factory=dict)  # public clients
    code: AuthorizationCode | None = None  # the code being exchanged, already taken
    user: User | None = None  # who signs in, or whose code is exchanged
    new_codes: list[tuple[str, AuthorizationCode]] = field(default_factory=list)
    signing_key: RSAKey | None = None
    verification_keys: KeySet | None = None
    revoked: list[dict[str, Any]] = field(default_factory=list)


current_call: ContextVar[Call] = ContextVar("renkei_oauth_call")


class ClientAdapter(ClientMixin):
    """A stored client as authlib sees it: confidential (client credentials only) or public
    (authorization code only, to its registered redirect URIs)."""

    def __init__(self, row: Client, redirect_uris: tuple[str, ...] = ()) -> None:
        self.row = row
        self.public = is_public(row)
        self.redirect_uris = redirect_uris

    def get_client_id(self) -> str:
        return self.row.id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes the client holds (all of its scopes when none are requested);
        None, which authlib answers with invalid_scope, when it holds none of them."""
        if not scope:
            return " ".join(self.row.scopes)
        allowed = [s for s in scope.split() if s in self.row.scopes]
        return " ".join(allowed) if allowed else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return self.public and redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.row.active and check_secret(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public:
            return method == "none" and endpoint == "token"
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return self.row.active and self.public and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        wanted = AuthorizationCodeGrant.GRANT_TYPE if self.public else "client_credentials"
        return self.row.active and grant_type == wanted


class UserAdapter:
    """A user account as authlib sees it."""

    def __init__(self, row: User) -> None:
        self.row = row

    def get_user_id(self) -> str:
        return self.row.id


class CodeAdapter:
    """A stored authorization code as authlib's grant and PKCE extension read it."""

    code_challenge_method = "S256"

    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


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


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class _AuthorizationCode(AuthorizationCodeGrant):
    """RFC 6749 4.1 for public clients; the code carries the scopes of the user's role that
    the client asked for, and lives CODE_TTL seconds."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]
    CODE_TTL = 120

    def save_authorization_code(self, code: str, request: Any) -> None:
        user: User = request.user.row
        role_scopes = ROLES[user.role].scopes
        scope = " ".join(s for s in str(request.scope or "").split() if s in role_scopes)
        row = AuthorizationCode(
            code_hash=code_hash(code),
            client_id=request.client.get_client_id(),
            user_id=user.id,
            redirect_uri=request.payload.redirect_uri,
            scope=scope,
            code_challenge=request.payload.data["code_challenge"],
            expires_at=datetime.now(UTC) + timedelta(seconds=self.CODE_TTL),
        )
        current_call.get().new_codes.append((code, row))

    def query_authorization_code(self, code: str, client: ClientAdapter) -> CodeAdapter | None:
        row = current_call.get().code
        if row is None or row.code_hash != code_hash(code):
            return None
        if row.client_id != client.get_client_id():
            return None
        return CodeAdapter(row)

    def delete_authorization_code(self, authorization_code: CodeAdapter) -> None:
        """Already deleted when it was loaded (AuthorizationCodeRepository.take)."""

    def authenticate_user(self, authorization_code: CodeAdapter) -> UserAdapter | None:
        user = current_call.get().user
        if user is None or user.id != authorization_code.row.user_id:
            return None
        return UserAdapter(user)


class _S256(CodeChallenge):
    """RFC 7636 with S256 only: a missing method would mean plain, which is refused."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        super().validate_code_challenge(grant, redirect_uri)


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
        if isinstance(user, UserAdapter):
            return {"tenants": user.row.tenants, "role": user.row.role}
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
        self.register_grant(_AuthorizationCode, [_S256(required=True)])
        self.register_token_generator("default", _JwtGenerator(issuer, audience, ttl))
        self.register_endpoint(_Revocation)

    def query_client(self, client_id: str) -> ClientAdapter | None:
        call = current_call.get()
        row = call.clients.get(client_id)
        if row is None:
            return None
        return ClientAdapter(row, call.redirect_uris.get(client_id, ()))

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
