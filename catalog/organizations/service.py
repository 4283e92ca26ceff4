"""organization_list and organization_show: every active tenant is an organization."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.access import Caller
from catalog.ckan.shapes import organization_dict
from catalog.datasets.service import required
from catalog.errors import NotFound, ValidationFailed
from catalog.organizations.repository import OrganizationRepository
from catalog.organizations.schemas import OrganizationView
from catalog.search import service as search
from catalog.search.query import boolean, integer
from catalog.search.repository import SearchRepository


def sort_key(text: str) -> tuple[str, bool]:
    """CKAN's `sort` of organization_list and group_list: `name|title|package_count asc|desc`."""
    parts = text.split()
    field = parts[0] if parts else "title"
    descending = len(parts) > 1 and parts[1].lower() == "desc"
    if field not in ("name", "title", "package_count") or len(parts) > 2:
        raise ValidationFailed.of("sort", f"Cannot sort by field `{field}`")
    return field, descending


def page(items: list[Any], params: dict[str, Any]) -> list[Any]:
    offset = integer(params, "offset", 0)
    limit = integer(params, "limit", 1000)
    return items[offset : offset + limit]


async def organization_list(
    session: AsyncSession, caller: Caller, *, params: dict[str, Any]
) -> Any:
    orgs = await OrganizationRepository(session).all()
    counts = await SearchRepository(session).counts(
        "organization", caller.visibility(include_private=True)
    )
    field, descending = sort_key(str(params.get("sort") or "title asc"))
    orgs.sort(key=lambda org: _key(org, counts.get(org.name, 0), field), reverse=descending)
    if not boolean(params, "all_fields"):
        return [org.name for org in page(orgs, params)]
    return [organization_dict(org, counts.get(org.name, 0)) for org in page(orgs, params)]


def _key(org: OrganizationView, count: int, field: str) -> Any:
    if field == "package_count":
        return (count, org.name)
    return (org.title.lower(), org.name) if field == "title" else org.name


async def organization_show(
    session: AsyncSession, caller: Caller, *, params: dict[str, Any]
) -> Any:
    name = required(params, "id")
    org = await OrganizationRepository(session).get(name)
    if org is None:
        raise NotFound("Not found: Organization not found")
    counts = await SearchRepository(session).counts(
        "organization", caller.visibility(include_private=True)
    )
    shape = organization_dict(org, counts.get(org.name, 0))
    shape |= {"extras": [], "tags": [], "groups": [], "users": []}
    if boolean(params, "include_datasets"):
        shape["packages"] = await search.datasets_of(
            session, caller, field="organization", value=org.name
        )
    return shape
