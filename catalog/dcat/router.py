"""DCAT-AP: the catalog (`/catalog`, by content negotiation, or `/catalog.ttl`,
`/catalog.jsonld`, `/catalog.rdf`) with Hydra paging, and one dataset
(`/dataset/{id}.ttl|jsonld|rdf`). Readable without a token (open data); a token adds the
private datasets of the caller's own tenants."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from broker.core.routing import RenkeiRoute
from catalog.ckan.dependencies import CallerDep, CatalogSettingsDep, ReadSession
from catalog.dcat import service
from catalog.dcat.service import PageRequest, Rendered

router = APIRouter(tags=["catalog (DCAT-AP)"], route_class=RenkeiRoute)

Extension = Literal["ttl", "jsonld", "rdf"]
Page = Annotated[int, Query(ge=1, description="the page (Hydra paging), from 1")]
ModifiedSince = Annotated[
    str | None, Query(description="only datasets changed at or after this ISO 8601 date-time")
]
RDF_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {
            "text/turtle": {},
            "application/ld+json": {},
            "application/rdf+xml": {},
        },
        "description": "DCAT-AP",
    }
}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _response(rendered: Rendered) -> Response:
    return Response(rendered.body, media_type=rendered.media_type, headers={"Vary": "Accept"})


def _page(request: Request, page: Page = 1, modified_since: ModifiedSince = None) -> PageRequest:
    return PageRequest(f"{_base(request)}{request.url.path}", page, modified_since)


CatalogPage = Annotated[PageRequest, Depends(_page)]


@router.get("/catalog", response_class=Response, responses=RDF_RESPONSES)
async def catalog_negotiated(
    request: Request,
    session: ReadSession,
    caller: CallerDep,
    settings: CatalogSettingsDep,
    paging: CatalogPage,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """DCAT-AP catalog in the syntax Accept names (Turtle, JSON-LD, RDF/XML), one page."""
    extension = service.negotiate(accept)
    rendered = await service.catalog(
        session, caller, settings=settings, base=_base(request), paging=paging, extension=extension
    )
    return _response(rendered)


@router.get("/catalog.{extension}", response_class=Response, responses=RDF_RESPONSES)
async def catalog_file(
    request: Request,
    session: ReadSession,
    caller: CallerDep,
    settings: CatalogSettingsDep,
    paging: CatalogPage,
    extension: Extension,
) -> Response:
    """DCAT-AP catalog as Turtle (.ttl), JSON-LD (.jsonld) or RDF/XML (.rdf), one page."""
    rendered = await service.catalog(
        session, caller, settings=settings, base=_base(request), paging=paging, extension=extension
    )
    return _response(rendered)


@router.get("/dataset/{dataset_id}.{extension}", response_class=Response, responses=RDF_RESPONSES)
async def dataset_file(
    request: Request,
    session: ReadSession,
    caller: CallerDep,
    settings: CatalogSettingsDep,
    dataset_id: str,
    extension: Extension,
) -> Response:
    """One dataset as DCAT-AP, by id or name: Turtle, JSON-LD or RDF/XML."""
    found = await service.dataset(
        session, caller, settings=settings, base=_base(request), id_or_name=dataset_id
    )
    return _response(service.serialize(found, extension))
