"""Dependencies of the CKAN Action API: the caller (anonymous or a principal) and an action's
parameters (a GET's query string or a POST's JSON object, as CKAN reads them)."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from auth.guard import Guard
from broker.core.db import Database
from catalog.access import Caller
from catalog.errors import BadRequest, FileTooLarge
from catalog.files.service import Upload
from catalog.settings import CatalogSettings


def _authorization(request: Request) -> str | None:
    """The token as CKAN clients send it: `Authorization: <token>` (ckanapi sends it bare,
    and as X-CKAN-API-Key too) or `Authorization: Bearer <token>`."""
    value = request.headers.get("authorization") or request.headers.get("x-ckan-api-key")
    if not value or not value.strip():
        return None
    value = value.strip()
    return value if " " in value else f"Bearer {value}"


async def _caller(request: Request) -> Caller:
    guard: Guard = request.app.state.guard
    authorization = _authorization(request)
    if authorization is None and not guard.disabled:
        return Caller(None, guard)
    principal = await guard.principal(authorization)
    request.state.principal = principal  # for the audit log, as auth's dependencies do
    return Caller(principal, guard)


async def _form(request: Request) -> dict[str, Any]:
    """A multipart/form-data action (ckanapi's, when a parameter is a file): its fields, and
    each file as an Upload, refused past RENKEI_CATALOG_UPLOAD_MAX_BYTES."""
    limit: int = request.app.state.catalog_settings.upload_max_bytes
    params: dict[str, Any] = {}
    async with request.form(max_part_size=limit) as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read(limit + 1)
                if len(content) > limit:
                    raise FileTooLarge(f"the file is larger than {limit} bytes")
                params[key] = Upload(value.filename or key, content)
            else:
                params[key] = value
    return params


async def _params(request: Request) -> dict[str, Any]:
    if request.method != "POST":
        return dict(request.query_params)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _form(request)
    body = await request.body()
    if not body.strip():
        return dict(request.query_params)
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {exc}") from exc
    if not isinstance(params, dict):
        raise BadRequest(
            f"JSON Error: Request data JSON decoded to {params!r} but it needs to be a dictionary."
        )
    return params


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The session of a read action, whether called by GET or by POST (as ckanapi calls every
    action): a read session, so a POSTed search never waits for SQLite's writer turn."""
    db: Database = request.app.state.db
    async with db.transaction(write=False) as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
CallerDep = Annotated[Caller, Depends(_caller)]
ActionParams = Annotated[dict[str, Any], Depends(_params)]


def _catalog_settings(request: Request) -> CatalogSettings:
    settings: CatalogSettings = request.app.state.catalog_settings
    return settings


CatalogSettingsDep = Annotated[CatalogSettings, Depends(_catalog_settings)]
