"""contextSourceInfo sealed at rest: the headers a source needs (Authorization ...) are stored
as a Fernet token (AES-128-CBC with HMAC-SHA256), never as clear text, and opened only to make
a call. Several keys rotate: the first seals, every one opens (cryptography's MultiFernet)."""

from functools import lru_cache

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from broker.core.errors import InternalError
from broker.registrations.settings import get_registration_settings

Pairs = tuple[tuple[str, str], ...]


class HeaderCipher:
    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, pairs: Pairs) -> str | None:
        if not pairs:
            return None
        data = orjson.dumps([[key, value] for key, value in pairs])
        return self._fernet.encrypt(data).decode("ascii")

    def open(self, sealed: str | None) -> Pairs:
        if not sealed:
            return ()
        try:
            data = self._fernet.decrypt(sealed.encode("ascii"))
        except InvalidToken as exc:
            # Sealed with a key no longer configured: the operator removed it too early.
            raise InternalError(
                "a registration's contextSourceInfo cannot be opened with RENKEI_CSOURCE_KEY"
            ) from exc
        return tuple((str(key), str(value)) for key, value in orjson.loads(data))


@lru_cache
def cipher() -> HeaderCipher:
    """The process's cipher, from RENKEI_CSOURCE_KEY (checked when the app starts)."""
    return HeaderCipher(get_registration_settings().keys)
