"""The CKAN Action API (`/api/3/action/{action}`, and `/api/action/{action}` as ckanapi calls
it). Parsing and dependencies only: each action takes CKAN's parameters from a GET's query
string or a POST's JSON object and answers in CKAN's envelope (catalog.ckan.envelope).

Read actions answer GET and POST, as CKAN's do; write actions POST only. Without a token the
caller is anonymous and sees the public catalog."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from broker.core.db import SessionDep
from catalog.ckan import site
from catalog.ckan.dependencies import ActionParams, CallerDep, CatalogSettingsDep, ReadSession
from catalog.ckan.envelope import CkanRoute, envelope
from catalog.datasets import resource_service
from catalog.datasets import service as datasets
from catalog.errors import BadRequest
from catalog.groups import service as groups
from catalog.live import datastore
from catalog.live.dependencies import ContextsDep
from catalog.organizations import service as organizations
from catalog.search import service as search

Action = Callable[..., Awaitable[Any]]

READS: dict[str, tuple[Action, str]] = {
    "package_list": (datasets.package_list, "The names of the public datasets (limit, offset)."),
    "package_show": (datasets.package_show, "One dataset by id or name."),
    "package_search": (
        search.package_search,
        "Search datasets: q (Japanese too), fq, sort, rows, start, facet.field, facet.limit, "
        "facet.mincount, include_private.",
    ),
    "resource_show": (resource_service.resource_show, "One resource by id."),
    "organization_list": (
        organizations.organization_list,
        "The organizations (one per tenant): names, or dicts with all_fields.",
    ),
    "organization_show": (organizations.organization_show, "One organization by name."),
    "group_list": (groups.group_list, "The groups: names, or dicts with all_fields."),
    "group_show": (groups.group_show, "One group by id or name."),
    "tag_list": (search.tag_list, "The tags of the public datasets (query, all_fields)."),
}
WRITES: dict[str, tuple[Action, str]] = {
    "package_create": (datasets.package_create, "Publish a dataset in an organization."),
    "package_update": (datasets.package_update, "Replace a dataset (its resources too if given)."),
    "package_patch": (datasets.package_patch, "Change the given fields of a dataset."),
    "package_delete": (datasets.package_delete, "Mark a dataset deleted."),
    "resource_create": (resource_service.resource_create, "Add a resource to a dataset."),
    "resource_update": (resource_service.resource_update, "Replace a resource's fields."),
    "resource_delete": (resource_service.resource_delete, "Remove a resource."),
}


def _read(name: str, action: Action, doc: str) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request, session: ReadSession, caller: CallerDep, params: ActionParams
    ) -> Response:
        return envelope(request, await action(session, caller, params=params))

    endpoint.__name__ = name
    endpoint.__doc__ = f"CKAN {name}: {doc}"
    return endpoint


def _write(name: str, action: Action, doc: str) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request, session: SessionDep, caller: CallerDep, params: ActionParams
    ) -> Response:
        return envelope(request, await action(session, caller, params=params))

    endpoint.__name__ = name
    endpoint.__doc__ = f"CKAN {name}: {doc}"
    return endpoint


# Not in the OpenAPI document: CKAN's clients know the Action API from CKAN's own reference,
# and its routes take no declared parameters (see docs/catalog.md for what each one reads).
router = APIRouter(tags=["catalog (CKAN)"], route_class=CkanRoute, include_in_schema=False)


@router.api_route("/site_read", methods=["GET", "POST"])
async def site_read(request: Request) -> Response:
    """CKAN site_read: whether the site may be read (always true: the catalog is open)."""
    return envelope(request, True)


@router.api_route("/status_show", methods=["GET", "POST"])
async def status_show(request: Request, settings: CatalogSettingsDep) -> Response:
    """CKAN status_show: the site's title, locale and the CKAN API version it follows."""
    site_url = str(request.base_url).rstrip("/")
    return envelope(request, site.status_show(settings, site_url=site_url))


@router.api_route("/license_list", methods=["GET", "POST"])
async def license_list(request: Request) -> Response:
    """CKAN license_list: the licenses a dataset may name."""
    return envelope(request, site.license_list())


for _name, (_action, _doc) in READS.items():
    router.add_api_route(f"/{_name}", _read(_name, _action, _doc), methods=["GET", "POST"])
for _name, (_action, _doc) in WRITES.items():
    router.add_api_route(f"/{_name}", _write(_name, _action, _doc), methods=["POST"])


@router.api_route("/datastore_search", methods=["GET", "POST"])
async def datastore_search(
    request: Request,
    session: ReadSession,
    caller: CallerDep,
    contexts: ContextsDep,
    params: ActionParams,
) -> Response:
    """CKAN datastore_search over a live resource: a page of its broker query's entities."""
    found = await datastore.datastore_search(
        session, caller, contexts, params=params, base="/api/3/action/datastore_search"
    )
    return envelope(request, found)


@router.api_route("/{action}", methods=["GET", "POST"])
async def unknown_action(action: str) -> Response:
    """An action this catalog does not have, or a write by GET: CKAN's 400."""
    if action in WRITES:
        raise BadRequest("JSON Error: Invalid request. Please use POST method for your request")
    raise BadRequest(f"Action name not known: {action}")
