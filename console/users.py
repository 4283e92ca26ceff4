"""The people page: user accounts, and creating one (a prefecture admin any role, a municipal
admin the staff and admins of their municipality; auth.users.service decides)."""

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from auth.cookies import same
from auth.users.roles import ROLES
from auth.users.schemas import UserCreate
from auth.users.service import create_user, list_users
from broker.core.db import SessionDep
from broker.core.errors import NgsiLdError
from console.dependencies import Visitor, VisitorDep
from console.pages import error_page, read_form, render
from console.session import BASE

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request, session: SessionDep, visitor: Visitor, *, status: int = 200, **extra: object
) -> Response:
    try:
        users = await list_users(session, visitor.principal)
    except NgsiLdError as error:
        return error_page(request, visitor, error.status, str(error.detail))
    return render(request, "users.html", visitor, status=status, users=users, roles=ROLES, **extra)


@router.get(BASE + "/users")
async def users_page(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """The people who sign in, as far as the person manages them."""
    return await _page(request, session, visitor)


@router.post(BASE + "/users")
async def add_user(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """Create a user account with a first password."""
    form = await read_form(request)
    if not same(visitor.csrf, form.get("csrf_token")):
        return error_page(request, visitor, 403, "the form has expired")
    try:
        body = UserCreate(
            id=form.get("id"),
            name=form.get("name"),
            role=form.get("role"),
            tenant=form.get("tenant") or None,
            password=form.get("password"),
        )
        user = await create_user(session, visitor.principal, body=body)
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        return await _page(request, session, visitor, status=400, problem=fields)
    except NgsiLdError as error:
        return await _page(request, session, visitor, status=error.status, problem=error.detail)
    return await _page(request, session, visitor, status=201, created=user.id)
