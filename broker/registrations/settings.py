"""Settings of the registrations: the keys that seal each registration's contextSourceInfo.

RENKEI_CSOURCE_KEY names Fernet keys; without it, one is derived (HKDF-SHA256) from
RENKEI_SECRET, which every deployment sets already, so a production start needs nothing new.
Either way production refuses the development values.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The development RENKEI_SECRET (auth/settings.py's DEFAULT_SECRET; broker may not import it).
DEVELOPMENT_SECRET = "renkei-development-secret-change-me"
_INFO = b"renkei csource_registrations contextSourceInfo"


def derived_key(secret: str) -> str:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw).decode("ascii")


class RegistrationSettings(BaseSettings):
    """docs/configuration.md: RENKEI_CSOURCE_KEY (and RENKEI_SECRET)."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    env: str = "development"
    secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    csource_key: SecretStr | None = Field(
        default=None,
        description="Fernet keys (comma-separated, newest first) sealing contextSourceInfo; "
        "default: derived from RENKEI_SECRET",
    )

    @property
    def keys(self) -> list[str]:
        if self.csource_key is None:
            return [derived_key(self.secret.get_secret_value())]
        return [k.strip() for k in self.csource_key.get_secret_value().split(",") if k.strip()]

    @model_validator(mode="after")
    def _valid_keys_and_no_development_key_in_production(self) -> "RegistrationSettings":
        if not self.keys:
            raise ValueError("RENKEI_CSOURCE_KEY names no key")
        for key in self.keys:
            try:
                Fernet(key)
            except ValueError as exc:
                raise ValueError(
                    "RENKEI_CSOURCE_KEY holds a key that is not a Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from exc
        if self.env == "production" and derived_key(DEVELOPMENT_SECRET) in self.keys:
            raise ValueError("set RENKEI_CSOURCE_KEY (or RENKEI_SECRET) in production")
        return self


@lru_cache
def get_registration_settings() -> RegistrationSettings:
    return RegistrationSettings()
