"""Reading JWT claims: unverified peeks (to route a token to its issuer), dotted claim paths."""

import base64
from typing import Any

import orjson

from broker.core.errors import Unauthorized


def _segment(part: str) -> dict[str, Any]:
    padded = part + "=" * (-len(part) % 4)
    value = orjson.loads(base64.urlsafe_b64decode(padded))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, NOT verified: only to pick the key to verify with."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Unauthorized("the access token is not a JWT", error="invalid_token")
    try:
        return _segment(parts[0]), _segment(parts[1])
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise Unauthorized("the access token is malformed", error="invalid_token") from exc


def claim(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``realm_access.roles``), or None."""
    value: Any = claims
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def words(value: Any) -> list[str]:
    """A claim as a list of strings: a space-separated string or a list of strings."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
