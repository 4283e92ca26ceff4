"""The key that seals contextSourceInfo: refused in production while it is the development one."""

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from broker.registrations.crypto import HeaderCipher
from broker.registrations.settings import DEVELOPMENT_SECRET, RegistrationSettings


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(ValidationError, match="RENKEI_CSOURCE_KEY"):
        RegistrationSettings(env="production", secret=DEVELOPMENT_SECRET)  # type: ignore[arg-type]


def test_production_takes_a_key_derived_from_its_secret_or_its_own() -> None:
    derived = RegistrationSettings(env="production", secret="a-long-random-secret")  # type: ignore[arg-type]
    own = Fernet.generate_key().decode()
    given = RegistrationSettings(env="production", csource_key=own)  # type: ignore[arg-type]
    assert given.keys == [own]
    assert derived.keys != given.keys


def test_a_key_that_is_no_fernet_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="Fernet"):
        RegistrationSettings(csource_key="short")  # type: ignore[arg-type]


def test_rotated_keys_open_what_the_old_key_sealed() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = HeaderCipher([old]).seal((("Authorization", "Bearer x"),))
    assert sealed is not None and "Bearer" not in sealed
    settings = RegistrationSettings(csource_key=f"{new},{old}")  # type: ignore[arg-type]
    assert HeaderCipher(settings.keys).open(sealed) == (("Authorization", "Bearer x"),)
