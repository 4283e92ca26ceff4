"""Datasets as DCAT-AP: pure functions from the catalog's rows to an rdflib graph.

Every subject has an IRI under the site's URL, so harvesters can tell a dataset they saw
before: `<site>/catalog`, `<site>/dataset/<id>`, `<site>/dataset/<id>/resource/<id>`,
`<site>/organization/<name>`, `<site>/dataset/<id>/service` (the live API behind a dataset's
live resources, a dcat:DataService)."""

from dataclasses import dataclass
from datetime import datetime

import orjson
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from catalog.datasets.models import Dataset, Resource
from catalog.dcat import vocabulary as v
from catalog.groups.models import Group
from catalog.licenses import BY_ID
from catalog.organizations.schemas import OrganizationView
from catalog.settings import CatalogSettings


@dataclass(frozen=True, slots=True)
class Site:
    """Where the catalog is served, what it is called, and the rows a graph refers to."""

    base: str
    settings: CatalogSettings
    organizations: dict[str, OrganizationView]
    groups: dict[str, Group]

    def iri(self, path: str) -> URIRef:
        return URIRef(f"{self.base}{path}")


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in v.BINDINGS.items():
        graph.bind(prefix, namespace)
    return graph


def _date(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def _text(graph: Graph, subject: URIRef | BNode, predicate: URIRef, value: str | None) -> None:
    if value:
        graph.add((subject, predicate, Literal(value)))


def publisher(graph: Graph, site: Site, tenant: str) -> URIRef:
    """The organization as a foaf:Agent (DCAT-AP: foaf:name mandatory)."""
    agent = site.iri(f"/organization/{tenant}")
    org = site.organizations.get(tenant)
    graph.add((agent, RDF.type, v.FOAF.Agent))
    graph.add((agent, v.FOAF.name, Literal(org.title if org else tenant, lang="ja")))
    graph.add((agent, v.DCT.identifier, Literal(tenant)))
    return agent


def _contact(graph: Graph, subject: URIRef, dataset: Dataset) -> None:
    if not (dataset.maintainer or dataset.maintainer_email):
        return
    card = BNode()
    graph.add((card, RDF.type, v.VCARD.Kind))
    _text(graph, card, v.VCARD.fn, dataset.maintainer)
    if dataset.maintainer_email:
        graph.add((card, v.VCARD.hasEmail, URIRef(f"mailto:{dataset.maintainer_email}")))
    graph.add((subject, v.DCAT.contactPoint, card))


def _spatial(graph: Graph, subject: URIRef, dataset: Dataset) -> None:
    if dataset.spatial_text.startswith(("http://", "https://")):
        graph.add((subject, v.DCT.spatial, URIRef(dataset.spatial_text)))
        return
    if not (dataset.spatial or dataset.spatial_text):
        return
    place = BNode()
    graph.add((place, RDF.type, v.DCT.Location))
    _text(graph, place, v.SKOS.prefLabel, dataset.spatial_text)
    if dataset.spatial:
        geojson = Literal(orjson.dumps(dataset.spatial).decode(), datatype=v.GEOJSON_LITERAL)
        graph.add((place, v.LOCN.geometry, geojson))
    graph.add((subject, v.DCT.spatial, place))


def _temporal(graph: Graph, subject: URIRef, dataset: Dataset) -> None:
    if dataset.temporal_start is None and dataset.temporal_end is None:
        return
    period = BNode()
    graph.add((period, RDF.type, v.DCT.PeriodOfTime))
    if dataset.temporal_start is not None:
        graph.add((period, v.DCAT.startDate, _date(dataset.temporal_start)))
    if dataset.temporal_end is not None:
        graph.add((period, v.DCAT.endDate, _date(dataset.temporal_end)))
    graph.add((subject, v.DCT.temporal, period))


def _themes(graph: Graph, site: Site, subject: URIRef, dataset: Dataset) -> None:
    for name in dataset.groups:
        group = site.groups.get(name)
        if group is None:
            continue
        theme = URIRef(group.theme_uri) if group.theme_uri else site.iri(f"/group/{name}")
        graph.add((subject, v.DCAT.theme, theme))
        graph.add((theme, v.SKOS.prefLabel, Literal(group.title, lang="ja")))


def add_dataset(graph: Graph, site: Site, dataset: Dataset) -> URIRef:
    """dcat:Dataset with DCAT-AP's mandatory (title, description) and recommended properties
    (contactPoint, distribution, keyword, publisher, spatial, temporal, theme) as far as the
    dataset has them, and the optional ones the catalog keeps."""
    subject = site.iri(f"/dataset/{dataset.id}")
    graph.add((subject, RDF.type, v.DCAT.Dataset))
    graph.add((subject, v.DCT.identifier, Literal(dataset.id)))
    graph.add((subject, v.DCT.title, Literal(dataset.title, lang="ja")))
    graph.add((subject, v.DCT.description, Literal(dataset.notes or dataset.title, lang="ja")))
    graph.add((subject, v.DCT.publisher, publisher(graph, site, dataset.tenant_id)))
    graph.add((subject, v.DCAT.landingPage, site.iri(f"/dataset/{dataset.name}")))
    for tag in dataset.tags:
        graph.add((subject, v.DCAT.keyword, Literal(tag, lang="ja")))
    graph.add((subject, v.DCT.issued, _date(dataset.issued or dataset.metadata_created)))
    graph.add((subject, v.DCT.modified, _date(dataset.modified or dataset.metadata_modified)))
    if dataset.frequency.upper() in v.FREQUENCIES:
        graph.add((subject, v.DCT.accrualPeriodicity, v.FREQUENCY[dataset.frequency.upper()]))
    _text(graph, subject, v.ADMS.version, dataset.version)
    _contact(graph, subject, dataset)
    _spatial(graph, subject, dataset)
    _temporal(graph, subject, dataset)
    _themes(graph, site, subject, dataset)
    for resource in dataset.resources:
        add_distribution(graph, site, dataset, resource)
    if any(resource.kind == "live" for resource in dataset.resources):
        _data_service(graph, site, dataset)
    return subject


def _license(graph: Graph, license_id: str | None) -> URIRef | None:
    license = BY_ID.get(license_id or "")
    if license is None or not license.url:
        return None
    document = URIRef(license.url)
    graph.add((document, RDF.type, v.DCT.LicenseDocument))
    graph.add((document, v.DCT.title, Literal(license.title, lang="ja")))
    return document


def add_distribution(graph: Graph, site: Site, dataset: Dataset, resource: Resource) -> URIRef:
    """dcat:Distribution: accessURL (mandatory), description, format, license (recommended),
    downloadURL, mediaType, title, byteSize (optional). A live resource's access is the
    broker's NGSI-LD API, given as the dcat:accessService of the distribution, and its
    downloadURL the live download (catalog.live, CSV unless asked otherwise)."""
    subject = site.iri(f"/dataset/{dataset.id}/resource/{resource.id}")
    graph.add((subject, RDF.type, v.DCAT.Distribution))
    graph.add((site.iri(f"/dataset/{dataset.id}"), v.DCAT.distribution, subject))
    graph.add((subject, v.DCT.identifier, Literal(resource.id)))
    _text(graph, subject, v.DCT.title, resource.name)
    graph.add((subject, v.DCT.description, Literal(resource.description or resource.name)))
    if resource.kind == "live":
        graph.add((subject, v.DCAT.accessURL, site.iri("/ngsi-ld/v1/entities")))
        graph.add((subject, v.DCAT.accessService, site.iri(f"/dataset/{dataset.id}/service")))
        download = site.iri(f"/dataset/{dataset.id}/resource/{resource.id}/download")
        graph.add((subject, v.DCAT.downloadURL, download))
    elif resource.url:
        # an uploaded file's URL is a path of this catalog
        url = site.iri(resource.url) if resource.url.startswith("/") else URIRef(resource.url)
        graph.add((subject, v.DCAT.accessURL, url))
        graph.add((subject, v.DCAT.downloadURL, url))
    file_type = v.FILE_TYPES.get(resource.format.upper())
    if file_type:
        graph.add((subject, v.DCT["format"], v.FILE_TYPE[file_type]))
    if resource.mimetype:
        graph.add((subject, v.DCAT.mediaType, URIRef(v.MEDIA_TYPE + resource.mimetype)))
    license = _license(graph, dataset.license_id)
    if license is not None:
        graph.add((subject, v.DCT.license, license))
    if resource.size is not None:
        graph.add(
            (subject, v.DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger))
        )
    if resource.last_modified is not None:
        graph.add((subject, v.DCT.modified, _date(resource.last_modified)))
    return subject


def _data_service(graph: Graph, site: Site, dataset: Dataset) -> None:
    """The broker's query API serving the dataset's live resources: dcat:DataService with
    endpointURL and title (mandatory), endpointDescription and servesDataset (recommended)."""
    service = site.iri(f"/dataset/{dataset.id}/service")
    graph.add((service, RDF.type, v.DCAT.DataService))
    graph.add((service, v.DCT.title, Literal(f"{dataset.title} (NGSI-LD API)", lang="ja")))
    graph.add((service, v.DCAT.endpointURL, URIRef(f"{site.base}/ngsi-ld/v1/entities")))
    graph.add((service, v.DCAT.endpointDescription, URIRef(f"{site.base}/openapi.json")))
    graph.add((service, v.DCAT.servesDataset, site.iri(f"/dataset/{dataset.id}")))
    graph.add((service, v.DCT.publisher, publisher(graph, site, dataset.tenant_id)))


def add_catalog(graph: Graph, site: Site, datasets: list[Dataset]) -> URIRef:
    """dcat:Catalog: dataset, description, publisher, title (mandatory); homepage, language,
    modified, themeTaxonomy (recommended)."""
    catalog = site.iri("/catalog")
    graph.add((catalog, RDF.type, v.DCAT.Catalog))
    graph.add((catalog, v.DCT.title, Literal(site.settings.site_title, lang="ja")))
    description = site.settings.site_description or site.settings.site_title
    graph.add((catalog, v.DCT.description, Literal(description, lang="ja")))
    graph.add((catalog, v.DCT.publisher, publisher(graph, site, site.settings.publisher)))
    graph.add((catalog, v.FOAF.homepage, URIRef(f"{site.base}/")))
    graph.add((catalog, v.DCT.language, v.LANGUAGE.JPN))
    for dataset in datasets:
        graph.add((catalog, v.DCAT.dataset, add_dataset(graph, site, dataset)))
    for service in graph.subjects(RDF.type, v.DCAT.DataService):
        graph.add((catalog, v.DCAT.service, service))
    if datasets:
        newest = max(d.modified or d.metadata_modified for d in datasets)
        graph.add((catalog, v.DCT.modified, _date(newest)))
    return catalog
