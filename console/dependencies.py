"""Who is looking at a console page, as a typed dependency.

A page without a valid session sends the browser to sign in (`SignInRequired`, turned into a
redirect by the console's handler); the token in the session is checked on every request by
the same guard as API calls, so a revoked console client or token ends every session.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from auth.dependencies import guard
from auth.principals import Principal
from broker.core.errors import Unauthorized
from console.i18n import language
from console.session import SESSION_COOKIE, Cookies


class SignInRequired(Exception):
    """No (valid) session: the page redirects to the sign-in."""


@dataclass(frozen=True, slots=True)
class Visitor:
    principal: Principal
    csrf: str
    lang: str


def _cookies(request: Request) -> Cookies:
    cookies: Cookies = request.app.state.console_cookies
    return cookies


CookiesDep = Annotated[Cookies, Depends(_cookies)]


async def _visitor(request: Request, cookies: CookiesDep) -> Visitor:
    session = cookies.sessions.loads(request.cookies.get(SESSION_COOKIE))
    if session is None or not isinstance(session.get("t"), str):
        raise SignInRequired
    try:
        principal = await guard(request).principal(f"Bearer {session['t']}")
    except Unauthorized as exc:
        raise SignInRequired from exc
    request.state.principal = principal  # for the audit log, as with API calls
    return Visitor(principal=principal, csrf=str(session.get("c", "")), lang=language(request))


VisitorDep = Annotated[Visitor, Depends(_visitor)]
