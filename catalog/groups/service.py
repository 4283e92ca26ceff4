"""group_list and group_show: the themes datasets of any organization may belong to."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.access import Caller
from catalog.ckan.shapes import group_dict
from catalog.datasets.service import required
from catalog.errors import NotFound
from catalog.groups.models import Group
from catalog.groups.repository import GroupRepository
from catalog.organizations.service import page, sort_key
from catalog.search import service as search
from catalog.search.query import boolean
from catalog.search.repository import SearchRepository


def _key(group: Group, count: int, field: str) -> Any:
    if field == "package_count":
        return (count, group.name)
    return (group.title.lower(), group.name) if field == "title" else group.name


async def group_list(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    groups = await GroupRepository(session).all()
    counts = await SearchRepository(session).counts(
        "groups", caller.visibility(include_private=True)
    )
    field, descending = sort_key(str(params.get("sort") or "title asc"))
    groups.sort(key=lambda g: _key(g, counts.get(g.name, 0), field), reverse=descending)
    if not boolean(params, "all_fields"):
        return [group.name for group in page(groups, params)]
    return [group_dict(group, counts.get(group.name, 0)) for group in page(groups, params)]


async def group_show(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    group = await GroupRepository(session).get(required(params, "id"))
    if group is None:
        raise NotFound("Not found: Group not found")
    counts = await SearchRepository(session).counts(
        "groups", caller.visibility(include_private=True)
    )
    shape = group_dict(group, counts.get(group.name, 0))
    shape |= {"extras": [], "tags": [], "groups": [], "users": []}
    if boolean(params, "include_datasets"):
        shape["packages"] = await search.datasets_of(
            session, caller, field="groups", value=group.name
        )
    return shape
