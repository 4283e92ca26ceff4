"""The catalog and its datasets as DCAT-AP: which datasets a caller sees (catalog.access:
public ones for anyone, with a token also the private ones of the caller's own tenants), one
page of them with Hydra's paging, and the RDF in the asked-for syntax."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.datetimes import parse_datetime
from broker.core.errors import BadRequestData, NotAcceptable
from catalog.access import Caller
from catalog.datasets.models import Dataset
from catalog.datasets.repository import CatalogDatasets
from catalog.datasets.service import visible_dataset
from catalog.dcat import graph as rdf
from catalog.dcat.vocabulary import HYDRA
from catalog.groups.repository import GroupRepository
from catalog.organizations.repository import OrganizationRepository
from catalog.settings import CatalogSettings

# extension -> (rdflib serializer, media type)
SYNTAXES = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
BY_MEDIA_TYPE = {media: ext for ext, (_, media) in SYNTAXES.items()}


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str


def negotiate(accept: str | None) -> str:
    """The extension of the syntax an Accept header asks for (q-values honoured); Turtle for
    none or `*/*`; NotAcceptable when it names only others."""
    if not accept or not accept.strip():
        return "ttl"
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranked):
        if media in BY_MEDIA_TYPE:
            return BY_MEDIA_TYPE[media]
        if media in ("*/*", "text/*", "application/*"):
            return "ttl" if media != "application/*" else "jsonld"
    raise NotAcceptable(f"the catalog is served as {', '.join(BY_MEDIA_TYPE)}")


def serialize(graph: Graph, extension: str) -> Rendered:
    syntax, media_type = SYNTAXES[extension]
    return Rendered(graph.serialize(format=syntax, encoding="utf-8"), media_type)


async def _site(
    session: AsyncSession, settings: CatalogSettings, base: str, datasets: list[Dataset]
) -> rdf.Site:
    tenants = [d.tenant_id for d in datasets] + [settings.publisher]
    organizations = await OrganizationRepository(session).of(tenants)
    names = [name for d in datasets for name in d.groups]
    groups = {g.name: g for g in await GroupRepository(session).of(names)}
    return rdf.Site(base, settings, organizations, groups)


def _modified_since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_datetime(text)
    except (ValueError, BadRequestData) as exc:
        raise BadRequestData(f"modified_since is not an ISO 8601 date-time: {text}") from exc


@dataclass(frozen=True, slots=True)
class PageRequest:
    url: str  # the request's URL without its query string
    page: int
    modified_since: str | None


def _page_url(request: PageRequest, page: int) -> URIRef:
    params = {"page": str(page)}
    if request.modified_since:
        params["modified_since"] = request.modified_since
    return URIRef(f"{request.url}?{urlencode(params)}")


def _paging(graph: Graph, request: PageRequest, *, total: int, size: int) -> None:
    """Hydra's paging, as DCAT harvesters (ckanext-dcat) read it: the page is a
    hydra:PagedCollection (firstPage, nextPage, previousPage, lastPage, totalItems,
    itemsPerPage) and a hydra:PartialCollectionView (first, next, previous, last)."""
    view = _page_url(request, request.page)
    last = max(1, -(-total // size))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
    links = {"first": 1, "last": last}
    if request.page > 1:
        links["previous"] = request.page - 1
    if request.page < last:
        links["next"] = request.page + 1
    for name, page in links.items():
        graph.add((view, HYDRA[f"{name}Page"], Literal(_page_url(request, page))))
        graph.add((view, HYDRA[name], _page_url(request, page)))


async def catalog(
    session: AsyncSession,
    caller: Caller,
    *,
    settings: CatalogSettings,
    base: str,
    paging: PageRequest,
    extension: str,
) -> Rendered:
    """One page of the catalog: the datasets the caller sees, newest change first."""
    request = paging
    if request.page < 1:
        raise BadRequestData("page must be 1 or more")
    size = settings.dcat_page_size
    datasets, total = await CatalogDatasets(session).page(
        caller.visibility(include_private=True),
        modified_since=_modified_since(request.modified_since),
        limit=size,
        offset=(request.page - 1) * size,
    )
    graph = rdf.new_graph()
    rdf.add_catalog(graph, await _site(session, settings, base, datasets), datasets)
    _paging(graph, request, total=total, size=size)
    return serialize(graph, extension)


async def dataset(
    session: AsyncSession,
    caller: Caller,
    *,
    settings: CatalogSettings,
    base: str,
    id_or_name: str,
) -> Graph:
    """One dataset the caller may see (else Not Found, as package_show)."""
    found = await visible_dataset(session, caller, id_or_name)
    graph = rdf.new_graph()
    rdf.add_dataset(graph, await _site(session, settings, base, [found]), found)
    return graph
