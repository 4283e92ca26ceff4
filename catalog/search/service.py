"""package_search and tag_list: what the whole catalog holds, as the caller may see it
(public, active datasets; with include_private, also the private ones of the caller's own
tenants)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.access import Caller, Visibility
from catalog.datasets.service import present
from catalog.groups.repository import GroupRepository
from catalog.organizations.repository import OrganizationRepository
from catalog.search import query as parsing
from catalog.search.query import Filter, SearchQuery
from catalog.search.repository import SearchRepository


async def _display_names(
    session: AsyncSession, facets: dict[str, list[tuple[str, int]]]
) -> dict[tuple[str, str], str]:
    """Organizations and groups show their titles in facets, as CKAN's do."""
    names: dict[tuple[str, str], str] = {}
    orgs = await OrganizationRepository(session).of([v for v, _ in facets.get("organization", [])])
    names |= {("organization", name): org.title for name, org in orgs.items()}
    groups = await GroupRepository(session).of([v for v, _ in facets.get("groups", [])])
    names |= {("groups", group.name): group.title for group in groups}
    return names


async def search(session: AsyncSession, query: SearchQuery, visibility: Visibility) -> Any:
    found = await SearchRepository(session).search(query, visibility)
    titles = await _display_names(session, found.facets)
    return {
        "count": found.count,
        "sort": query.sort_text,
        "results": await present(session, found.datasets),
        "facets": {name: dict(items) for name, items in found.facets.items()},
        "search_facets": {
            name: {
                "title": name,
                "items": [
                    {"name": v, "display_name": titles.get((name, v), v), "count": c}
                    for v, c in items
                ],
            }
            for name, items in found.facets.items()
        },
    }


async def package_search(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    query = parsing.parse(params)
    return await search(session, query, caller.visibility(include_private=query.include_private))


async def datasets_of(
    session: AsyncSession, caller: Caller, *, field: str, value: str
) -> list[dict[str, Any]]:
    """The datasets of one organization or group the caller may see (organization_show's
    and group_show's include_datasets), newest first, at most a page of 1000."""
    query = SearchQuery(
        filters=[Filter(field, value=value)],
        sort=[("metadata_modified", True)],
        rows=parsing.MAX_ROWS,
    )
    result = await search(session, query, caller.visibility(include_private=True))
    return list(result["results"])


async def tag_list(session: AsyncSession, caller: Caller, *, params: dict[str, Any]) -> Any:
    """The tags of public, active datasets; `query` keeps those containing it."""
    tags = await SearchRepository(session).values(
        "tags", caller.visibility(include_private=False), containing=str(params.get("query") or "")
    )
    if parsing.boolean(params, "all_fields"):
        return [{"id": t, "name": t, "display_name": t, "vocabulary_id": None} for t in tags]
    return tags
