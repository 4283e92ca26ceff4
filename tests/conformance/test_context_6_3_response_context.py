"""Clause 6.3.5 (JSON-LD @context resolution), responses: an application/ld+json response
carries the @context the request named, as the request named it — a string stays a string, a
list stays that list, and the core context is not appended; a request that named none gets the
core context URL. An application/json response names the context in a Link header instead (the
request's first context URL, or the core context). The no-context cases are covered by
tests/broker/entities/test_retrieve.py and test_jsonld.py.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, create, people_flow
from tests.broker.entities.test_jsonld import ContextServer, link

CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
QUERY = "/ngsi-ld/v1/entityOperations/query"
LD = {"Accept": "application/ld+json"}
INLINE = {"brand": "https://schema.org/brand"}


@pytest.fixture
def contexts() -> Iterator[ContextServer]:
    """A loopback HTTP server serving the test @context documents."""
    server = ContextServer()
    yield server
    server.server.shutdown()


async def _create_branded(client: httpx.AsyncClient) -> None:
    """The sensor with a `brand` (https://schema.org/brand, the term the test context maps)."""
    body = {**people_flow(brand={"type": "Property", "value": "Renkei"}), "@context": [INLINE]}
    response = await client.post(
        ENTITIES, content=orjson.dumps(body), headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text


async def _query_ld(client: httpx.AsyncClient, context: Any) -> httpx.Response:
    body = {"type": "Query", "entities": [{"type": "CrowdFlowObserved"}], "@context": context}
    return await client.post(
        QUERY,
        content=orjson.dumps(body),
        headers={**LD, "Content-Type": "application/ld+json"},
    )


@pytest.mark.parametrize(
    "path",
    [f"{ENTITIES}/{SENSOR_ID}", ENTITIES + "?type=CrowdFlowObserved", "/ngsi-ld/v1/types"],
)
async def test_6_3_5_linked_context_string_is_echoed_as_a_string_without_core(
    client: httpx.AsyncClient, contexts: ContextServer, path: str
) -> None:
    await create(client)
    url = contexts.url("/context.jsonld")
    response = await client.get(path, headers={**LD, "Link": link(url)})
    assert response.status_code == 200, response.text
    body = response.json()
    items = body if isinstance(body, list) else [body]
    assert items and all(item["@context"] == url for item in items)


async def test_6_3_5_attributes_response_echoes_the_linked_context(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    await _create_branded(client)
    url = contexts.url("/context.jsonld")
    response = await client.get("/ngsi-ld/v1/attributes", headers={**LD, "Link": link(url)})
    assert response.status_code == 200, response.text
    assert response.json()["@context"] == url


async def test_6_3_5_query_body_context_list_is_echoed_as_that_list(
    client: httpx.AsyncClient,
) -> None:
    await _create_branded(client)
    response = await _query_ld(client, [INLINE])
    assert response.status_code == 200, response.text
    (entity,) = response.json()
    assert entity["@context"] == [INLINE]
    assert entity["brand"]["value"] == "Renkei"


async def test_6_3_5_query_body_context_object_is_echoed_without_core(
    client: httpx.AsyncClient,
) -> None:
    await _create_branded(client)
    response = await _query_ld(client, INLINE)
    assert response.status_code == 200, response.text
    (entity,) = response.json()
    assert entity["@context"] == INLINE
    assert entity["brand"]["value"] == "Renkei"


async def test_6_3_5_query_body_context_listing_core_keeps_it_where_listed(
    client: httpx.AsyncClient,
) -> None:
    await _create_branded(client)
    response = await _query_ld(client, [CORE, INLINE])
    (entity,) = response.json()
    assert entity["@context"] == [CORE, INLINE]


async def test_6_3_5_json_response_links_the_first_context_url_of_the_query_body(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    await _create_branded(client)
    url = contexts.url("/context.jsonld")
    body = {"type": "Query", "entities": [{"type": "CrowdFlowObserved"}], "@context": [url]}
    response = await client.post(
        QUERY,
        content=orjson.dumps(body),
        headers={"Accept": "application/json", "Content-Type": "application/ld+json"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["link"].startswith(f"<{url}>")
    (entity,) = response.json()
    assert "@context" not in entity
    assert entity["brand"]["value"] == "Renkei"
