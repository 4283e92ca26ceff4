"""JSON-LD: user @contexts from Link or inline, remote contexts fetched and cached, offline core."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import orjson
import pytest

from broker.jsonld.context import ContextResolver
from tests.broker.entities.helpers import (
    ENTITIES,
    SENSOR_ID,
    assert_problem,
    create,
    fetch,
    people_flow,
)

USER_CONTEXT = {
    "@context": {
        "schema": "https://schema.org/",
        "brand": "schema:brand",
        "PeopleCounter": "https://smartdatamodels.org/dataModel.Transportation/CrowdFlowObserved",
    }
}


class ContextServer:
    """A real HTTP server on loopback serving @context documents, counting requests."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {"/context.jsonld": orjson.dumps(USER_CONTEXT)}
        self.hits: dict[str, int] = {}
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.hits[self.path] = served.hits.get(self.path, 0) + 1
                body = served.documents.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def contexts() -> Iterator[ContextServer]:
    server = ContextServer()
    yield server
    server.server.shutdown()


def link(url: str) -> str:
    return f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


async def test_link_context_expands_input_and_compacts_output(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    url = contexts.url("/context.jsonld")
    body = people_flow(brand={"type": "Property", "value": "Renkei"}, type="PeopleCounter")
    response = await client.post(
        ENTITIES, json=body, headers={"Content-Type": "application/json", "Link": link(url)}
    )
    assert response.status_code == 201, response.text
    linked = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers={"Link": link(url)})
    assert linked.json()["brand"]["value"] == "Renkei"
    assert linked.json()["type"] == "PeopleCounter"
    assert linked.headers["link"].startswith(f"<{url}>")
    plain = await fetch(client)
    assert plain["https://schema.org/brand"]["value"] == "Renkei"
    assert plain["type"] == USER_CONTEXT["@context"]["PeopleCounter"]


async def test_inline_context_with_ld_json(client: httpx.AsyncClient) -> None:
    body = people_flow(brand={"type": "Property", "value": "Renkei"})
    body["@context"] = [{"brand": "https://schema.org/brand"}]
    response = await client.post(
        ENTITIES, content=orjson.dumps(body), headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    assert "https://schema.org/brand" in await fetch(client)


async def test_remote_context_is_fetched_once_and_cached(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    url = contexts.url("/context.jsonld")
    for n in range(3):
        body = people_flow(f"urn:ngsi-ld:CrowdFlowObserved:{n}", brand="x")
        response = await client.post(
            ENTITIES, json=body, headers={"Content-Type": "application/json", "Link": link(url)}
        )
        assert response.status_code == 201
    assert contexts.hits["/context.jsonld"] == 1


async def test_unreachable_context_is_ld_context_not_available(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    response = await client.post(
        ENTITIES,
        json=people_flow(),
        headers={"Content-Type": "application/json", "Link": link(contexts.url("/missing"))},
    )
    assert_problem(response, 503, "LdContextNotAvailable")
    assert (await client.get(f"{ENTITIES}/{SENSOR_ID}")).status_code == 404


async def test_context_that_is_not_json_ld_is_not_available(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    contexts.documents["/broken"] = b"<html>not json</html>"
    response = await client.post(
        ENTITIES,
        json=people_flow(),
        headers={"Content-Type": "application/json", "Link": link(contexts.url("/broken"))},
    )
    assert_problem(response, 503, "LdContextNotAvailable")


async def test_oversized_context_is_not_available(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    contexts.documents["/huge"] = orjson.dumps(
        {"@context": {f"t{i}": f"https://example.org/{i:0>40}" for i in range(40_000)}}
    )
    response = await client.post(
        ENTITIES,
        json=people_flow(),
        headers={"Content-Type": "application/json", "Link": link(contexts.url("/huge"))},
    )
    assert_problem(response, 503, "LdContextNotAvailable")


@pytest.mark.parametrize("version", ["", "-v1.3", "-v1.6", "-v1.8", "-v1.9"])
async def test_core_context_urls_resolve_offline(client: httpx.AsyncClient, version: str) -> None:
    url = f"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context{version}.jsonld"
    response = await client.post(
        ENTITIES,
        json=people_flow(),
        headers={"Content-Type": "application/json", "Link": link(url)},
    )
    assert response.status_code == 201, response.text
    assert (await fetch(client))["location"]["type"] == "GeoProperty"


async def test_invalid_inline_context_is_bad_request(client: httpx.AsyncClient) -> None:
    body = {**people_flow(), "@context": {"brand": {"@id": 5}}}
    response = await client.post(
        ENTITIES, content=orjson.dumps(body), headers={"Content-Type": "application/ld+json"}
    )
    assert_problem(response, 400, "BadRequestData")


async def test_ld_json_without_context_is_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        ENTITIES,
        content=orjson.dumps(people_flow()),
        headers={"Content-Type": "application/ld+json"},
    )
    assert_problem(response, 400, "BadRequestData")


async def test_ld_json_with_link_header_is_bad_request(client: httpx.AsyncClient) -> None:
    body = {
        **people_flow(),
        "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    }
    response = await client.post(
        ENTITIES,
        content=orjson.dumps(body),
        headers={
            "Content-Type": "application/ld+json",
            "Link": link("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"),
        },
    )
    assert_problem(response, 400, "BadRequestData")


async def test_json_with_inline_context_is_bad_request(client: httpx.AsyncClient) -> None:
    body = {**people_flow(), "@context": {"brand": "https://schema.org/brand"}}
    response = await client.post(ENTITIES, json=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "BadRequestData")


@pytest.mark.parametrize(
    "header",
    [
        '<relative/ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context"',
        '<http://a/1>; rel="http://www.w3.org/ns/json-ld#context", '
        '<http://a/2>; rel="http://www.w3.org/ns/json-ld#context"',
    ],
)
async def test_bad_link_header_is_bad_request(client: httpx.AsyncClient, header: str) -> None:
    response = await client.post(
        ENTITIES, json=people_flow(), headers={"Content-Type": "application/json", "Link": header}
    )
    assert_problem(response, 400, "BadRequestData")


async def test_ld_json_response_names_the_linked_context(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    await create(client)
    url = contexts.url("/context.jsonld")
    response = await client.get(
        f"{ENTITIES}/{SENSOR_ID}", headers={"Accept": "application/ld+json", "Link": link(url)}
    )
    assert response.json()["@context"] == url


async def test_remote_context_is_fetched_again_after_its_ttl(contexts: ContextServer) -> None:
    resolver = ContextResolver(ttl=0)
    url = contexts.url("/context.jsonld")
    first = await resolver.resolve(url)
    second = await resolver.resolve(url)
    await resolver.aclose()
    assert first.expand("brand") == second.expand("brand") == "https://schema.org/brand"
    assert contexts.hits["/context.jsonld"] == 2
