"""Signing in to the console: OAuth 2.0 authorization code with PKCE (S256) against the
built-in authorization server, the console being its own public client."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from auth.clients.service import ensure_public_client
from auth.cookies import new_token, same, set_cookie
from auth.dependencies import TOKEN_URL
from auth.tokens.dependencies import IssuerDep, TokenEndpointsDep
from broker.core.db import SessionDep
from console.dependencies import CookiesDep, VisitorDep
from console.pages import error_page, read_form
from console.session import (
    BASE,
    CALLBACK,
    CLIENT_ID,
    CLIENT_NAME,
    FLOW_COOKIE,
    SESSION_COOKIE,
    Flow,
)

router = APIRouter(include_in_schema=False)


@router.get(BASE + "/login")
async def login(
    request: Request, session: SessionDep, cookies: CookiesDep, issuer: IssuerDep
) -> Response:
    """Start a sign-in: a new state and verifier in a cookie, the browser to /oauth2/authorize."""
    await ensure_public_client(session, client_id=CLIENT_ID, name=CLIENT_NAME)
    flow = Flow.new()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": issuer + CALLBACK,
            "state": flow.state,
            "code_challenge": flow.challenge,
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"/oauth2/authorize?{query}", status_code=302)
    value = cookies.flows.dumps({"s": flow.state, "v": flow.verifier})
    set_cookie(response, request, FLOW_COOKIE, value, path=BASE, max_age=cookies.flows.max_age)
    return response


@router.get(CALLBACK)
async def callback(
    request: Request,
    session: SessionDep,
    cookies: CookiesDep,
    endpoints: TokenEndpointsDep,
    issuer: IssuerDep,
) -> Response:
    """The authorization response: the state must be this browser's, the code is exchanged."""
    flow = cookies.flows.loads(request.cookies.get(FLOW_COOKIE)) or {}
    code = request.query_params.get("code")
    if not code or not same(flow.get("s"), request.query_params.get("state")):
        return error_page(request, None, 400, "the sign-in was not started here; start again")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": issuer + CALLBACK,
        "client_id": CLIENT_ID,
        "code_verifier": str(flow.get("v", "")),
    }
    answer = await endpoints.issue(session, uri=issuer + TOKEN_URL, form=form, headers={})
    if answer.status != 200:
        return error_page(request, None, 400, str(answer.body.get("error_description", "")))
    response = RedirectResponse(BASE, status_code=303)
    value = cookies.sessions.dumps({"t": answer.body["access_token"], "c": new_token()})
    max_age = min(int(answer.body.get("expires_in", 3600)), cookies.sessions.max_age)
    set_cookie(response, request, SESSION_COOKIE, value, path=BASE, max_age=max_age)
    response.delete_cookie(FLOW_COOKIE, path=BASE)
    return response


@router.post(BASE + "/logout")
async def logout(request: Request, visitor: VisitorDep) -> Response:
    """Sign out: the session cookie is deleted."""
    form = await read_form(request)
    if not same(visitor.csrf, form.get("csrf_token")):
        return error_page(request, visitor, 403, "expired_form")
    response = RedirectResponse(BASE + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=BASE)
    return response
