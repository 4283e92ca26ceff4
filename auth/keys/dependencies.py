"""The key ring the app started (signing and verification keys), as a typed dependency."""

from typing import Annotated

from fastapi import Depends, Request

from auth.keys.service import KeyRing


def _keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


KeyRingDep = Annotated[KeyRing, Depends(_keyring)]
