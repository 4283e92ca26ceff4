"""Settings of the auth package: every value comes from a ``RENKEI_`` environment variable."""

from functools import lru_cache

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "renkei-development-secret-change-me"


class ExternalIssuer(BaseModel):
    """An OIDC issuer whose access tokens Renkei accepts (e.g. a Keycloak realm).

    Claim names may be dotted paths into nested claims (``realm_access.roles``). Values of the
    tenants and scopes claims may be lists or space-separated strings.
    """

    issuer: str
    jwks_uri: str | None = Field(
        default=None, description="default: jwks_uri of the issuer's openid-configuration"
    )
    audience: str | None = Field(default=None, description="required `aud` value, if any")
    tenants_claim: str = "tenants"
    scopes_claim: str = "scope"
    client_claim: str = "azp"
    tenant_map: dict[str, str] = Field(
        default_factory=dict, description="claim value -> Renkei tenant; unmapped values as is"
    )
    scope_map: dict[str, str] = Field(
        default_factory=dict, description="claim value (e.g. a role) -> Renkei scope"
    )
    entity_types: list[str] | None = None


class AuthSettings(BaseSettings):
    """OAuth2 server, token validation and audit settings (docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    env: str = "development"
    auth_disabled: bool = False
    issuer: str | None = Field(
        default=None, description="this server's issuer URL; default http://<host>:<port>"
    )
    audience: str = "renkei"
    secret: SecretStr = SecretStr(DEFAULT_SECRET)
    token_ttl: int = Field(default=3600, ge=60, le=86_400)
    token_leeway: int = Field(
        default=30,
        ge=0,
        le=300,
        description="seconds a token is still accepted past its exp (clock skew between hosts)",
    )
    key_rotation_days: float = Field(default=30.0, gt=0)
    rate_limit_tenant: float = Field(
        default=0.0,
        ge=0,
        description="requests/s per tenant and replica (429 past it); 0: unlimited; "
        "a tenant's own rateLimit overrides it",
    )
    rate_limit_client: float = Field(
        default=0.0, ge=0, description="requests/s per client and replica; 0: unlimited"
    )
    token_failures_per_client: float = Field(
        default=10,
        ge=0,
        description="failed authentications of one client id a minute before the token "
        "endpoint answers 429 (0: unlimited)",
    )
    token_failures_per_address: float = Field(
        default=30,
        ge=0,
        description="failed client authentications from one address a minute (0: unlimited)",
    )
    rate_limit_burst: float = Field(
        default=2.0, ge=0, description="seconds of its rate a quiet tenant or client may burst"
    )
    admin_client_id: str = "prefecture-admin"
    shared_tenant: str = "shared"
    auth_cache_ttl: float = Field(default=5.0, ge=0)
    external_issuers: list[ExternalIssuer] = Field(default_factory=list)
    jwks_cache_ttl: float = Field(default=3600.0, ge=0)
    jwks_refresh_interval: float = Field(default=30.0, ge=0)
    audit_enabled: bool = True
    audit_flush_interval: float = Field(default=1.0, gt=0)
    audit_batch_size: int = Field(default=500, ge=1)
    audit_checkpoint_interval: float = Field(default=300.0, gt=0)
    usage_timezone: str = "Asia/Tokyo"
    signin_max_failures: int = Field(
        default=5, ge=1, le=100, description="wrong passwords in a row that lock an account"
    )
    signin_lockout_minutes: float = Field(default=15.0, gt=0, le=1440)

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> "AuthSettings":
        if self.env == "production":
            if self.secret.get_secret_value() == DEFAULT_SECRET:
                raise ValueError("RENKEI_SECRET must be set in production")
            if self.auth_disabled:
                raise ValueError("RENKEI_AUTH_DISABLED cannot be used in production")
            if not self.audit_enabled:
                raise ValueError("RENKEI_AUDIT_ENABLED=0 cannot be used in production")
        return self

    def issuer_for(self, host: str, port: int) -> str:
        if self.issuer:
            return self.issuer.rstrip("/")
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{shown}:{port}"


@lru_cache
def get_auth_settings() -> AuthSettings:
    return AuthSettings()
