"""Administration pages: tenants (with their sharing grants and subscriptions), and clients
with their scopes.

Every page calls the same services as the admin API with the signed-in person's principal, so
what a person sees and may change is decided there: a municipal admin lists only their
municipality and cannot open another's page (404, as over the API).
"""

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from auth import scopes
from auth.clients.schemas import ClientCreate
from auth.clients.service import create_client, list_clients
from auth.cookies import same
from auth.dependencies import guard
from auth.grants.service import list_grants
from auth.tenants.schemas import TenantCreate
from auth.tenants.service import get_tenant, list_tenants
from auth.tenants.service import register_tenant as register
from broker.core.db import SessionDep
from broker.core.errors import NgsiLdError
from broker.subscriptions.dependencies import SubscriptionsDep
from broker.subscriptions.service import query_subscriptions
from console.dependencies import Visitor, VisitorDep
from console.pages import Form, error_page, read_form, render
from console.session import BASE

router = APIRouter(include_in_schema=False)


def _denied(request: Request, visitor: Visitor, scope: str) -> Response | None:
    if visitor.principal.has_scope(scope):
        return None
    return error_page(request, visitor, 403, f"this page needs the scope {scope}")


async def _posted(request: Request, visitor: Visitor) -> Form | Response:
    """The form of a POST the person may send: the page's scope, the session's CSRF token."""
    if denied := _denied(request, visitor, scopes.TENANTS_ADMIN):
        return denied
    form = await read_form(request)
    if not same(visitor.csrf, form.get("csrf_token")):
        return error_page(request, visitor, 403, "the form has expired")
    return form


def _problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return str(getattr(error, "detail", error))


def _status(error: Exception) -> int:
    return error.status if isinstance(error, NgsiLdError) else 400


@router.get(BASE)
async def home(request: Request, visitor: VisitorDep) -> Response:
    """Who is signed in, and the pages their scopes open."""
    return render(request, "home.html", visitor, scopes=sorted(visitor.principal.scopes))


async def _tenants_page(
    request: Request, session: SessionDep, visitor: Visitor, *, status: int = 200, **extra: object
) -> Response:
    rows = await list_tenants(session, visitor.principal)
    return render(request, "tenants.html", visitor, status=status, tenants=rows, **extra)


@router.get(BASE + "/tenants")
async def tenants_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """The tenants the person may see."""
    return _denied(request, visitor, scopes.TENANTS_ADMIN) or await _tenants_page(
        request, session, visitor
    )


@router.post(BASE + "/tenants")
async def register_tenant(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """Register a tenant (a prefecture-wide administrator)."""
    form = await _posted(request, visitor)
    if isinstance(form, Response):
        return form
    try:
        body = TenantCreate(
            id=form.get("id", ""),
            code=form.get("code") or None,
            kind=form.get("kind", "municipality"),  # type: ignore[arg-type]
            nameJa=form.get("name_ja") or None,
            nameEn=form.get("name_en") or None,
        )
        row = await register(session, visitor.principal, body=body)
    except (NgsiLdError, ValidationError) as error:
        return await _tenants_page(
            request, session, visitor, status=_status(error), problem=_problem(error)
        )
    return await _tenants_page(request, session, visitor, status=201, created=row.id)


async def _subscriptions(
    request: Request, session: SessionDep, visitor: Visitor, deps: SubscriptionsDep, tenant: str
) -> list[dict[str, object]] | None:
    """The tenant's subscriptions (first 100) when the person may manage them, else None."""
    if not visitor.principal.has_scope(scopes.SUBSCRIBE):
        return None
    access = await guard(request).access(visitor.principal, scope=scopes.SUBSCRIBE, tenant=tenant)
    page = await query_subscriptions(session, access, deps, limit=100, offset=0, count=False)
    return page.items


@router.get(BASE + "/tenants/{tenant}")
async def tenant_page(
    request: Request,
    tenant: str,
    session: SessionDep,
    visitor: VisitorDep,
    deps: SubscriptionsDep,
) -> Response:
    """One tenant: the clients acting in it, its sharing grants, its subscriptions and their
    delivery failures."""
    if denied := _denied(request, visitor, scopes.TENANTS_ADMIN):
        return denied
    try:
        row = await get_tenant(session, visitor.principal, tenant=tenant)
        grants = await list_grants(session, visitor.principal, tenant=tenant)
        subscriptions = await _subscriptions(request, session, visitor, deps, tenant)
    except NgsiLdError as error:
        return error_page(request, visitor, error.status, _problem(error))
    members = [
        c
        for c in await list_clients(session, visitor.principal)
        if tenant in c.tenants or "*" in c.tenants
    ]
    return render(
        request,
        "tenant.html",
        visitor,
        tenant=row,
        clients=members,
        grants=grants,
        subscriptions=subscriptions,
    )


async def _clients_page(
    request: Request, session: SessionDep, visitor: Visitor, *, status: int = 200, **extra: object
) -> Response:
    rows = await list_clients(session, visitor.principal)
    return render(
        request,
        "clients.html",
        visitor,
        status=status,
        clients=rows,
        all_scopes=sorted(visitor.principal.scopes),
        **extra,
    )


@router.get(BASE + "/clients")
async def clients_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """The clients the person may manage, with their scopes and tenants."""
    return _denied(request, visitor, scopes.TENANTS_ADMIN) or await _clients_page(
        request, session, visitor
    )


@router.post(BASE + "/clients")
async def register_client(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """Register a client; its secret is shown once."""
    form = await _posted(request, visitor)
    if isinstance(form, Response):
        return form
    try:
        body = ClientCreate(
            id=form.get("id") or None,
            name=form.get("name"),
            scopes=form.all("scopes"),
            tenants=form.get("tenants").replace(",", " ").split(),
        )
        issued = await create_client(session, visitor.principal, body=body)
    except (NgsiLdError, ValidationError) as error:
        return await _clients_page(
            request, session, visitor, status=_status(error), problem=_problem(error)
        )
    return await _clients_page(
        request, session, visitor, status=201, created=issued.client.id, secret=issued.secret
    )
