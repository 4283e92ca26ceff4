"""The console's cookies: the sign-in flow in progress and the signed-in session.

The session cookie holds the person's access token (from the authorization code exchange) and
the session's CSRF token, signed with the server secret; it is HttpOnly, SameSite=Lax, and
Secure except on a loopback address over plain HTTP (auth.cookies). Nothing is stored on the
server: signing out deletes the cookie, and the token runs out with the session.
"""

import base64
import hashlib
from dataclasses import dataclass

from auth.cookies import CookieSigner, new_token

SESSION_COOKIE = "renkei_console"
FLOW_COOKIE = "renkei_console_flow"
CLIENT_ID = "renkei-console"
CLIENT_NAME = "Renkei console"
BASE = "/console"
CALLBACK = BASE + "/callback"
FLOW_TTL = 900


@dataclass(frozen=True, slots=True)
class Cookies:
    sessions: CookieSigner
    flows: CookieSigner


def make_cookies(secret: str, *, session_ttl: int) -> Cookies:
    return Cookies(
        sessions=CookieSigner(secret, purpose="console.session", max_age=session_ttl),
        flows=CookieSigner(secret, purpose="console.flow", max_age=FLOW_TTL),
    )


@dataclass(frozen=True, slots=True)
class Flow:
    """One sign-in in progress: RFC 6749's state and RFC 7636's verifier, kept by the browser."""

    state: str
    verifier: str

    @classmethod
    def new(cls) -> "Flow":
        return cls(state=new_token(), verifier=new_token() + new_token())

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
