"""DCAT-AP output of the catalog (issue 16): every syntax parsed with rdflib, DCAT-AP's
mandatory and recommended properties present, Hydra paging, modified_since, and only the
datasets the caller may see.

The property lists are DCAT-AP 2.1/3.0's (mandatory and recommended classes):
- Catalogue: mandatory dct:title, dct:description, dct:publisher, dcat:dataset; recommended
  foaf:homepage, dct:language, dct:modified.
- Dataset: mandatory dct:title, dct:description; recommended dcat:contactPoint,
  dcat:distribution, dcat:keyword, dct:publisher, dct:spatial, dct:temporal, dcat:theme.
- Distribution: mandatory dcat:accessURL; recommended dct:description, dct:format, dct:license.
- Data service: mandatory dcat:endpointURL, dct:title; recommended dcat:endpointDescription,
  dcat:servesDataset.
- Agent: mandatory foaf:name.
"""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from catalog.dcat.vocabulary import DCAT, DCT, FOAF, FREQUENCY, HYDRA, VCARD
from tests.catalog.helpers import add_group, create, dataset, publisher

SYNTAXES = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
MEDIA = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
CATALOG_PROPERTIES = [DCT.title, DCT.description, DCT.publisher, DCAT.dataset, FOAF.homepage]
DATASET_PROPERTIES = [
    DCT.title,
    DCT.description,
    DCAT.contactPoint,
    DCAT.distribution,
    DCAT.keyword,
    DCT.publisher,
    DCT.spatial,
    DCT.temporal,
    DCAT.theme,
    DCT.accrualPeriodicity,
]
DISTRIBUTION_PROPERTIES = [DCAT.accessURL, DCT.description, DCT["format"], DCT.license]
SERVICE_PROPERTIES = [DCAT.endpointURL, DCT.title, DCAT.endpointDescription, DCAT.servesDataset]
BASE = "http://renkei.test"


def full_dataset(name: str = "jinryu-2026", **overrides: Any) -> dict[str, Any]:
    return dataset(
        name,
        maintainer="横浜市 都市整備局",
        maintainer_email="toshi@city.yokohama.example",
        extras=[
            {"key": "spatial", "value": '{"type": "Point", "coordinates": [139.62, 35.46]}'},
            {"key": "spatial_text", "value": "横浜駅"},
            {"key": "temporal_start", "value": "2026-01-01T00:00:00Z"},
            {"key": "temporal_end", "value": "2026-12-31T00:00:00Z"},
            {"key": "frequency", "value": "DAILY"},
        ],
        resources=[
            {
                "name": "人流 CSV",
                "url": "https://example.jp/jinryu.csv",
                "format": "CSV",
                "mimetype": "text/csv",
            },
            {"name": "人流 (API)", "format": "JSON", "query": {"type": "CrowdFlowObserved"}},
        ],
        **overrides,
    )


async def graph_of(http: httpx.AsyncClient, path: str, syntax: str, **kwargs: Any) -> Graph:
    response = await http.get(path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA[syntax])
    return Graph().parse(data=response.content, format=SYNTAXES[syntax])


def missing(graph: Graph, subject: URIRef, properties: list[URIRef]) -> list[URIRef]:
    return [p for p in properties if graph.value(subject, p) is None]


def the(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef))


@pytest.mark.parametrize("syntax", list(SYNTAXES))
async def test_catalog_has_dcat_ap_mandatory_and_recommended_properties(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient, syntax: str
) -> None:
    await add_group(app, "mobility", "移動・交通")
    created = await create(client, **full_dataset(groups=[{"name": "mobility"}]))
    graph = await graph_of(anonymous, f"/catalog.{syntax}", syntax)
    (catalog,) = the(graph, DCAT.Catalog)
    assert catalog == URIRef(f"{BASE}/catalog")
    assert missing(graph, catalog, CATALOG_PROPERTIES) == []
    (subject,) = the(graph, DCAT.Dataset)
    assert subject == URIRef(f"{BASE}/dataset/{created['id']}")
    assert missing(graph, subject, DATASET_PROPERTIES) == []
    assert str(graph.value(subject, DCT.title)) == "駅前の人流データ"
    assert {str(k) for k in graph.objects(subject, DCAT.keyword)} == {"人流", "観光"}
    assert graph.value(subject, DCT.accrualPeriodicity) == FREQUENCY.DAILY
    distributions = list(graph.objects(subject, DCAT.distribution))
    assert len(distributions) == 2
    for distribution in distributions:
        assert isinstance(distribution, URIRef)
        assert missing(graph, distribution, DISTRIBUTION_PROPERTIES) == []
        license = graph.value(distribution, DCT.license)
        assert license == URIRef("https://creativecommons.org/licenses/by/4.0/")
    (service,) = the(graph, DCAT.DataService)
    assert missing(graph, service, SERVICE_PROPERTIES) == []
    assert graph.value(service, DCAT.servesDataset) == subject
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/ngsi-ld/v1/entities")
    publisher_ = graph.value(subject, DCT.publisher)
    assert publisher_ == URIRef(f"{BASE}/organization/yokohama")
    assert (publisher_, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher_, FOAF.name) is not None
    card = graph.value(subject, DCAT.contactPoint)
    assert graph.value(card, VCARD.hasEmail) == URIRef("mailto:toshi@city.yokohama.example")


async def test_file_distribution_has_download_url_media_type_and_format(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = await create(client, **full_dataset())
    graph = await graph_of(anonymous, f"/dataset/{created['id']}.ttl", "ttl")
    csv = URIRef(f"{BASE}/dataset/{created['id']}/resource/{created['resources'][0]['id']}")
    assert graph.value(csv, DCAT.downloadURL) == URIRef("https://example.jp/jinryu.csv")
    assert graph.value(csv, DCAT.accessURL) == URIRef("https://example.jp/jinryu.csv")
    assert graph.value(csv, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/text/csv"
    )
    assert graph.value(csv, DCT["format"]) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/CSV"
    )
    live = URIRef(f"{BASE}/dataset/{created['id']}/resource/{created['resources'][1]['id']}")
    assert graph.value(live, DCAT.accessService) == URIRef(
        f"{BASE}/dataset/{created['id']}/service"
    )
    assert graph.value(live, DCAT.downloadURL) == URIRef(f"{live}/download")
    downloaded = await anonymous.get(str(graph.value(live, DCAT.downloadURL)).removeprefix(BASE))
    assert downloaded.status_code == 200 and downloaded.text.startswith("id,type")


@pytest.mark.parametrize("syntax", list(SYNTAXES))
async def test_one_dataset_in_every_syntax_by_id_or_name(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, syntax: str
) -> None:
    created = await create(client, **full_dataset())
    for key in ("id", "name"):
        graph = await graph_of(anonymous, f"/dataset/{created[key]}.{syntax}", syntax)
        assert the(graph, DCAT.Dataset) == [URIRef(f"{BASE}/dataset/{created['id']}")]
        assert the(graph, DCAT.Catalog) == []


@pytest.mark.parametrize(("accept", "syntax"), [(m, s) for s, m in MEDIA.items()])
async def test_catalog_negotiates_its_syntax_from_accept(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, accept: str, syntax: str
) -> None:
    await create(client)
    graph = await graph_of(anonymous, "/catalog", syntax, headers={"Accept": accept})
    assert len(the(graph, DCAT.Dataset)) == 1


async def test_catalog_without_accept_is_turtle_and_other_types_are_not_acceptable(
    anonymous: httpx.AsyncClient,
) -> None:
    graph = await graph_of(anonymous, "/catalog", "ttl")
    assert len(the(graph, DCAT.Catalog)) == 1
    weighted = "text/turtle;q=0.5, application/rdf+xml"
    assert (
        len(
            the(
                await graph_of(anonymous, "/catalog", "rdf", headers={"Accept": weighted}),
                DCAT.Catalog,
            )
        )
        == 1
    )
    response = await anonymous.get("/catalog", headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


async def test_catalog_pages_with_hydra(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    app.state.catalog_settings.dcat_page_size = 2
    try:
        for number in range(5):
            await create(client, name=f"set-{number}")
        seen: list[URIRef] = []
        url = "/catalog.ttl?page=1"
        pages = 0
        while url:
            graph = await graph_of(anonymous, url, "ttl")
            pages += 1
            seen += the(graph, DCAT.Dataset)
            (view,) = the(graph, HYDRA.PartialCollectionView)
            assert (view, RDF.type, HYDRA.PagedCollection) in graph
            assert int(str(graph.value(view, HYDRA.totalItems))) == 5
            assert int(str(graph.value(view, HYDRA.itemsPerPage))) == 2
            assert str(graph.value(view, HYDRA.first)) == f"{BASE}/catalog.ttl?page=1"
            assert str(graph.value(view, HYDRA.last)) == f"{BASE}/catalog.ttl?page=3"
            assert str(graph.value(view, HYDRA.lastPage)) == f"{BASE}/catalog.ttl?page=3"
            following = graph.value(view, HYDRA.next)
            url = str(following).removeprefix(BASE) if following is not None else ""
        assert pages == 3
        assert len(set(seen)) == 5
    finally:
        app.state.catalog_settings.dcat_page_size = 100


async def test_modified_since_keeps_the_datasets_changed_since(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    old = await create(client, name="old-one")
    new = await create(client, name="new-one")
    since = new["metadata_modified"] + "Z"
    graph = await graph_of(anonymous, "/catalog.ttl", "ttl", params={"modified_since": since})
    assert the(graph, DCAT.Dataset) == [URIRef(f"{BASE}/dataset/{new['id']}")]
    view = the(graph, HYDRA.PartialCollectionView)[0]
    assert "modified_since=" in str(view)
    everything = await graph_of(anonymous, "/catalog.ttl", "ttl")
    assert URIRef(f"{BASE}/dataset/{old['id']}") in the(everything, DCAT.Dataset)
    response = await anonymous.get("/catalog.ttl", params={"modified_since": "yesterday"})
    assert response.status_code == 400


async def test_private_datasets_only_for_their_own_tenant(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await create(client, name="open-one")
    secret = await create(client, name="secret-one", private=True)
    yokohama = await publisher(anonymous, app, "yokohama")
    kawasaki = await publisher(anonymous, app, "kawasaki")
    secret_iri = URIRef(f"{BASE}/dataset/{secret['id']}")
    for headers in (None, kawasaki):
        graph = await graph_of(anonymous, "/catalog.ttl", "ttl", headers=headers)
        assert len(the(graph, DCAT.Dataset)) == 1 and secret_iri not in the(graph, DCAT.Dataset)
        response = await anonymous.get(f"/dataset/{secret['id']}.ttl", headers=headers)
        assert response.status_code == 404
    own = await graph_of(anonymous, "/catalog.ttl", "ttl", headers=yokohama)
    assert secret_iri in the(own, DCAT.Dataset)
    assert the(
        await graph_of(anonymous, f"/dataset/{secret['id']}.jsonld", "jsonld", headers=yokohama),
        DCAT.Dataset,
    ) == [secret_iri]


async def test_a_token_without_catalog_read_sees_only_public_datasets(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    secret = await create(client, name="secret-one", private=True)
    entities_only = await publisher(anonymous, app, "yokohama", scope=["ngsi-ld:read"])
    graph = await graph_of(anonymous, "/catalog.ttl", "ttl", headers=entities_only)
    assert the(graph, DCAT.Dataset) == []
    response = await anonymous.get(f"/dataset/{secret['id']}.ttl", headers=entities_only)
    assert response.status_code == 404


async def test_an_invalid_token_is_refused(anonymous: httpx.AsyncClient) -> None:
    for path in ("/catalog", "/catalog.ttl", "/dataset/x.ttl"):
        response = await anonymous.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401, path


async def test_unknown_dataset_and_extension(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/dataset/nothing.ttl")).status_code == 404
    assert (await anonymous.get("/catalog.csv")).status_code in (400, 404)
