"""Signed browser cookies and CSRF tokens, for the pages people use (sign-in, the console).

A cookie's value is signed with the server secret (itsdangerous, HMAC-SHA1 over a key derived
per purpose by `salt`) and carries its signing time, so it is refused once older than
`max_age`. A form's CSRF token is a random value kept in the signed cookie and repeated in a
hidden field; a POST whose field differs from its cookie is refused.
"""

import hmac
import ipaddress
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response


class CookieSigner:
    def __init__(self, secret: str, *, purpose: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=f"renkei.{purpose}")
        self.max_age = max_age

    def dumps(self, value: dict[str, Any]) -> str:
        return self._serializer.dumps(value)

    def loads(self, signed: str | None) -> dict[str, Any] | None:
        if not signed:
            return None
        try:
            value = self._serializer.loads(signed, max_age=self.max_age)
        except BadSignature:
            return None
        return value if isinstance(value, dict) else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(expected: object, given: object) -> bool:
    return (
        isinstance(expected, str)
        and isinstance(given, str)
        and bool(expected)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secure(request: Request) -> bool:
    """Cookies are Secure, except over plain HTTP to a loopback address (a local run, tests):
    a browser keeps no Secure cookie from http://127.0.0.1."""
    return request.url.scheme == "https" or not _loopback(request.url.hostname or "")


def set_cookie(
    response: Response, request: Request, name: str, value: str, *, path: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        secure=secure(request),
        samesite="lax",
    )
