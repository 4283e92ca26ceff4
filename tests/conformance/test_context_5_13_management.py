"""Clause 5.13 @context management: /ngsi-ld/v1/jsonldContexts (ETSI GS CIM 009 V1.8).

Kinds (5.13.1): Hosted (added by a client, 5.13.2), Cached (downloaded by the broker when a
request named it), ImplicitlyCreated. The core context is held as Cached and cannot be deleted.
"""

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from broker.core.app import create_app
from broker.jsonld.context import CORE_CONTEXT_URL
from tests.auth.helpers import bearer
from tests.broker.entities.helpers import (
    ENTITIES,
    JSON_HEADERS,
    SENSOR_ID,
    assert_problem,
    people_flow,
)
from tests.broker.entities.test_jsonld import USER_CONTEXT, ContextServer, link
from tests.broker.subscriptions.helpers import SUBSCRIPTIONS, received, receiver, subscription
from tests.conftest import make_auth, make_settings

CONTEXTS = "/ngsi-ld/v1/jsonldContexts"
BASE = "http://renkei.test"
TERMS = {
    "@context": {
        "brand": "https://schema.org/brand",
        "PeopleCounter": "https://smartdatamodels.org/dataModel.Transportation/CrowdFlowObserved",
    }
}
DETAIL_KEYS = {"URL", "localId", "kind", "createdAt", "lastUsage", "numberOfHits", "extraInfo"}
LOCATION = re.compile(r"^/ngsi-ld/v1/jsonldContexts/([0-9a-f-]{36})$")


@pytest.fixture
def contexts() -> Iterator[ContextServer]:
    server = ContextServer()
    yield server
    server.server.shutdown()


def tenant(name: str | None) -> dict[str, str]:
    return {"NGSILD-Tenant": name} if name else {}


async def add(
    client: httpx.AsyncClient, document: Any = TERMS, *, tenant_name: str | None = None
) -> str:
    """Add a @context; returns its Location path."""
    response = await client.post(
        CONTEXTS,
        content=orjson.dumps(document),
        headers={"Content-Type": "application/json", **tenant(tenant_name)},
    )
    assert response.status_code == 201, response.text
    assert response.content == b""
    assert LOCATION.match(response.headers["location"]), response.headers["location"]
    return response.headers["location"]


async def details(
    client: httpx.AsyncClient, context_id: str, tenant_name: str | None = None
) -> dict[str, Any]:
    response = await client.get(
        f"{CONTEXTS}/{context_id}", params={"details": "true"}, headers=tenant(tenant_name)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) <= DETAIL_KEYS
    datetime.fromisoformat(body["createdAt"])
    return body


def encoded(url: str) -> str:
    return quote(url, safe="")


async def create_with_link(
    client: httpx.AsyncClient, url: str, tenant_name: str | None = None, **attrs: Any
) -> httpx.Response:
    body = people_flow(type="PeopleCounter", brand={"type": "Property", "value": "Renkei"})
    body.update(attrs)
    return await client.post(
        ENTITIES,
        json=body,
        headers={"Content-Type": "application/json", "Link": link(url), **tenant(tenant_name)},
    )


# 5.13.2 Add @context


async def test_5_13_2_added_context_is_hosted_and_served_at_its_location(
    client: httpx.AsyncClient,
) -> None:
    location = await add(client)
    served = await client.get(location)
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/ld+json"
    assert served.json() == TERMS
    local_id = location.rsplit("/", 1)[1]
    metadata = await details(client, local_id)
    assert metadata["kind"] == "Hosted"
    assert metadata["localId"] == local_id
    assert metadata["URL"] == BASE + location


async def test_5_13_2_context_of_urls_and_ld_json_is_accepted(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    document = {"@context": [contexts.url("/context.jsonld"), {"extra": "https://x.example/"}]}
    response = await client.post(
        CONTEXTS, content=orjson.dumps(document), headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    assert (await client.get(response.headers["location"])).json() == document


@pytest.mark.parametrize(
    "document",
    [3, True, {"@context": [3]}, {"@context": {"a": 3}}, {"@context": "not a url"}],
    ids=["number", "boolean", "array-item", "invalid-term", "relative-url"],
)
async def test_5_13_2_invalid_context_is_bad_request_data(
    client: httpx.AsyncClient, document: Any
) -> None:
    body = document if isinstance(document, dict) else {"@context": document}
    response = await client.post(
        CONTEXTS, content=orjson.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "BadRequestData")
    assert "location" not in response.headers
    assert (await client.get(CONTEXTS, params={"kind": "Hosted"})).json() == []


@pytest.mark.parametrize(
    "body",
    [b'{"A1": "urn:ngsi-ld:attributes:A1"}', b"[]", b'"text"', b'{"@context": {', b""],
    ids=["no-context-member", "array", "string", "malformed-json", "empty"],
)
async def test_5_13_2_incorrect_payload_is_invalid_request(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        CONTEXTS, content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "InvalidRequest")


async def test_5_13_2_context_naming_an_unavailable_context_is_not_added(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    document = {"@context": contexts.url("/missing.jsonld")}
    response = await client.post(
        CONTEXTS, content=orjson.dumps(document), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 503, "LdContextNotAvailable")
    assert (await client.get(CONTEXTS, params={"kind": "Hosted"})).json() == []


async def test_6_3_4_add_context_of_another_media_type_is_415(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        CONTEXTS, content=orjson.dumps(TERMS), headers={"Content-Type": "text/plain"}
    )
    assert_problem(response, 415, "UnsupportedMediaType")


# A hosted context used by requests


async def test_hosted_context_url_in_link_resolves_without_a_fetch(
    client: httpx.AsyncClient,
) -> None:
    """The test client's host (renkei.test) resolves nowhere: only a local read succeeds."""
    url = BASE + await add(client)
    created = await create_with_link(client, url)
    assert created.status_code == 201, created.text
    linked = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers={"Link": link(url)})
    assert linked.json()["type"] == "PeopleCounter"
    assert linked.json()["brand"]["value"] == "Renkei"
    plain = await client.get(f"{ENTITIES}/{SENSOR_ID}")
    assert plain.json()["https://schema.org/brand"]["value"] == "Renkei"


async def test_hosted_context_url_inline_in_ld_json_resolves(client: httpx.AsyncClient) -> None:
    url = BASE + await add(client)
    body = {**people_flow(brand="x"), "@context": [url, CORE_CONTEXT_URL]}
    response = await client.post(
        ENTITIES, content=orjson.dumps(body), headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    stored = (await client.get(f"{ENTITIES}/{SENSOR_ID}")).json()
    assert stored["https://schema.org/brand"]["value"] == "x"


async def test_hosted_context_is_served_and_resolved_by_another_replica(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Stored in the database: a restarted process, or any other replica, has it."""
    location = await add(client)
    replica = create_app(make_settings(database_url), auth=make_auth(auth_disabled=True))
    async with LifespanManager(replica):
        transport = httpx.ASGITransport(app=replica)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as other:
            assert (await other.get(location)).json() == TERMS
            created = await create_with_link(other, BASE + location)
            assert created.status_code == 201, created.text
            # Deleted through the first one: the replica no longer resolves it.
            assert (await client.delete(location)).status_code == 204
            await other.delete(f"{ENTITIES}/{SENSOR_ID}")
            again = await create_with_link(other, BASE + location)
            assert_problem(again, 503, "LdContextNotAvailable")


# 5.13.3 List @contexts


async def test_5_13_3_list_gives_urls_and_with_details_metadata(
    client: httpx.AsyncClient,
) -> None:
    first, second = await add(client), await add(client, {"@context": {"b": "https://b/"}})
    urls = (await client.get(CONTEXTS)).json()
    assert {BASE + first, BASE + second, CORE_CONTEXT_URL} <= set(urls)
    assert all(isinstance(url, str) for url in urls)
    hosted = (await client.get(CONTEXTS, params={"kind": "Hosted"})).json()
    assert hosted == [BASE + first, BASE + second]
    described = (await client.get(CONTEXTS, params={"kind": "Hosted", "details": "true"})).json()
    assert [d["URL"] for d in described] == hosted
    assert {d["kind"] for d in described} == {"Hosted"}
    cached = (await client.get(CONTEXTS, params={"kind": "Cached", "details": "false"})).json()
    assert CORE_CONTEXT_URL in cached
    assert BASE + first not in cached
    assert (await client.get(CONTEXTS, params={"kind": "ImplicitlyCreated"})).json() == []


@pytest.mark.parametrize(
    "params",
    [{"kind": "other"}, {"details": "other"}, {"details": "true", "kind": "other"}],
    ids=["kind", "details", "details-true-kind-other"],
)
async def test_5_13_3_invalid_details_or_kind_is_bad_request_data(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    assert_problem(await client.get(CONTEXTS, params=params), 400, "BadRequestData")


async def test_5_13_3_list_with_trailing_slash_is_the_list(client: httpx.AsyncClient) -> None:
    await add(client)
    assert (await client.get(f"{CONTEXTS}/")).json() == (await client.get(CONTEXTS)).json()


# 5.13.4 Serve @context


async def test_5_13_4_unknown_context_is_resource_not_found(client: httpx.AsyncClient) -> None:
    for params in ({}, {"details": "true"}):
        response = await client.get(f"{CONTEXTS}/wrong_id_context", params=params)
        assert_problem(response, 404, "ResourceNotFound")


async def test_5_13_4_core_context_is_served_by_any_of_its_urls(
    client: httpx.AsyncClient,
) -> None:
    v16 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
    served = await client.get(f"{CONTEXTS}/{encoded(v16)}")
    assert served.status_code == 200
    assert served.json()["@context"]["ngsi-ld"] == "https://uri.etsi.org/ngsi-ld/"
    metadata = await details(client, encoded(CORE_CONTEXT_URL))
    assert metadata["kind"] == "Cached"
    assert metadata["URL"] == CORE_CONTEXT_URL


async def test_5_13_4_context_fetched_for_a_request_is_cached_and_served_by_its_url(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    url = contexts.url("/context.jsonld")
    assert (await create_with_link(client, url)).status_code == 201
    assert url in (await client.get(CONTEXTS, params={"kind": "Cached"})).json()
    assert url not in (await client.get(CONTEXTS, params={"kind": "Hosted"})).json()
    metadata = await details(client, encoded(url))
    assert metadata["kind"] == "Cached"
    assert metadata["URL"] == url
    assert metadata["numberOfHits"] == 1  # the request that fetched it
    datetime.fromisoformat(metadata["lastUsage"])
    served = await client.get(f"{CONTEXTS}/{encoded(url)}")
    assert served.json() == USER_CONTEXT
    # Two servings and one more use since.
    fetched = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers={"Link": link(url)})
    assert fetched.status_code == 200
    assert (await details(client, encoded(url)))["numberOfHits"] == 4
    assert contexts.hits["/context.jsonld"] == 1


async def test_5_13_4_cached_url_with_a_trailing_slash_is_served(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    contexts.documents["/ctx/"] = orjson.dumps(USER_CONTEXT)
    url = contexts.url("/ctx/")
    assert (await create_with_link(client, url)).status_code == 201
    assert (await details(client, encoded(url)))["URL"] == url


# 5.13.5 Delete and Reload @context


async def test_5_13_5_deleted_hosted_context_is_gone(client: httpx.AsyncClient) -> None:
    location = await add(client)
    deleted = await client.delete(location)
    assert deleted.status_code == 204
    assert_problem(await client.get(location), 404, "ResourceNotFound")
    assert_problem(await client.delete(location), 404, "ResourceNotFound")
    assert BASE + location not in (await client.get(CONTEXTS)).json()
    created = await create_with_link(client, BASE + location)
    assert_problem(created, 503, "LdContextNotAvailable")


@pytest.mark.parametrize(
    ("target", "reload", "status", "problem"),
    [
        ("hosted", "true", 400, "BadRequestData"),
        ("hosted", "xxx", 400, "BadRequestData"),
        ("wrong_id_context", "true", 400, "BadRequestData"),
        ("wrong_id_context", "false", 404, "ResourceNotFound"),
        ("wrong_id_context", None, 404, "ResourceNotFound"),
        ("wrong_id_context", "xxx", 400, "BadRequestData"),
        (encoded("https://unknown.example/ctx.jsonld"), "true", 404, "ResourceNotFound"),
        (encoded(CORE_CONTEXT_URL), None, 400, "BadRequestData"),
        (encoded(CORE_CONTEXT_URL), "false", 400, "BadRequestData"),
    ],
)
async def test_5_13_5_refused_deletes(
    client: httpx.AsyncClient, target: str, reload: str | None, status: int, problem: str
) -> None:
    location = await add(client)
    path = location if target == "hosted" else f"{CONTEXTS}/{target}"
    params = {"reload": reload} if reload is not None else {}
    assert_problem(await client.delete(path, params=params), status, problem)
    assert (await client.get(location)).status_code == 200


async def test_5_13_5_core_context_reload_is_no_content_and_it_stays(
    client: httpx.AsyncClient,
) -> None:
    """The core context is built in: there is nothing to download, and it stays served."""
    response = await client.delete(f"{CONTEXTS}/{encoded(CORE_CONTEXT_URL)}?reload=true")
    assert response.status_code == 204
    assert (await details(client, encoded(CORE_CONTEXT_URL)))["kind"] == "Cached"


async def test_5_13_5_reload_fetches_a_cached_context_again(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    url = contexts.url("/context.jsonld")
    assert (await create_with_link(client, url)).status_code == 201
    changed = {"@context": {**TERMS["@context"], "colour": "https://schema.org/color"}}
    contexts.documents["/context.jsonld"] = orjson.dumps(changed)
    response = await client.delete(f"{CONTEXTS}/{encoded(url)}", params={"reload": "true"})
    assert response.status_code == 204
    assert contexts.hits["/context.jsonld"] == 2
    assert (await client.get(f"{CONTEXTS}/{encoded(url)}")).json() == changed
    # Requests now use the reloaded document.
    linked = await client.get(f"{ENTITIES}/{SENSOR_ID}", headers={"Link": link(url)})
    assert linked.status_code == 200
    attrs = {"colour": {"type": "Property", "value": "red"}}
    patched = await client.post(
        f"{ENTITIES}/{SENSOR_ID}/attrs",
        json=attrs,
        headers={"Content-Type": "application/json", "Link": link(url)},
    )
    assert patched.status_code == 204, patched.text
    stored = (await client.get(f"{ENTITIES}/{SENSOR_ID}")).json()
    assert stored["https://schema.org/color"]["value"] == "red"


async def test_5_13_5_failed_reload_keeps_the_cached_context(
    client: httpx.AsyncClient, contexts: ContextServer
) -> None:
    url = contexts.url("/context.jsonld")
    assert (await create_with_link(client, url)).status_code == 201
    del contexts.documents["/context.jsonld"]
    response = await client.delete(f"{CONTEXTS}/{encoded(url)}", params={"reload": "true"})
    assert_problem(response, 503, "LdContextNotAvailable")
    assert (await details(client, encoded(url)))["kind"] == "Cached"
    assert (await client.delete(f"{CONTEXTS}/{encoded(url)}")).status_code == 204
    assert_problem(await client.get(f"{CONTEXTS}/{encoded(url)}"), 404, "ResourceNotFound")


# 5.5.10 Tenants: a hosted context belongs to the tenant that added it


async def test_5_5_10_hosted_context_is_invisible_to_another_tenant(
    client: httpx.AsyncClient,
) -> None:
    location = await add(client, tenant_name="yokohama")
    local_id = location.rsplit("/", 1)[1]
    for params in ({}, {"details": "true"}):
        other = await client.get(location, params=params, headers=tenant("kawasaki"))
        assert_problem(other, 404, "ResourceNotFound")
    listed = await client.get(CONTEXTS, params={"details": "true"}, headers=tenant("kawasaki"))
    assert local_id not in listed.text
    assert_problem(
        await client.delete(location, headers=tenant("kawasaki")), 404, "ResourceNotFound"
    )
    used = await create_with_link(client, BASE + location, "kawasaki")
    assert_problem(used, 503, "LdContextNotAvailable")
    assert (await details(client, local_id, "yokohama"))["kind"] == "Hosted"
    assert (await create_with_link(client, BASE + location, "yokohama")).status_code == 201
    assert (await client.delete(location, headers=tenant("yokohama"))).status_code == 204


# Scopes: reading is ngsi-ld:read, adding and deleting ngsi-ld:write


async def test_read_scope_serves_and_lists_but_cannot_add_or_delete(
    app: FastAPI, anonymous: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    location = await add(client)
    reader = await bearer(anonymous, app, scopes=["ngsi-ld:read"], tenants=["*"])
    assert (await anonymous.get(location, headers=reader)).status_code == 200
    assert (await anonymous.get(CONTEXTS, headers=reader)).status_code == 200
    refused = await anonymous.post(
        CONTEXTS,
        content=orjson.dumps(TERMS),
        headers={**reader, "Content-Type": "application/json"},
    )
    assert_problem(refused, 403, "Forbidden")
    assert_problem(await anonymous.delete(location, headers=reader), 403, "Forbidden")


async def test_subscription_naming_a_hosted_context_notifies_with_its_terms(
    client: httpx.AsyncClient,
) -> None:
    """A subscription keeps the documents of its @context (hosted ones too): its notifications
    compact with them in any process, even once the hosted context is deleted."""
    location = await add(client)
    url = BASE + location
    ld = {"Content-Type": "application/json", "Link": link(url)}
    with receiver() as target:
        body = subscription(target.url, entities=[{"type": "PeopleCounter"}])
        response = await client.post(SUBSCRIPTIONS, json=body, headers=ld)
        assert response.status_code == 201, response.text
        assert (await create_with_link(client, url)).status_code == 201
        (notification,) = await received(target)
        (entity,) = notification["data"]
        assert entity["type"] == "PeopleCounter"
        assert entity["brand"]["value"] == "Renkei"
        assert target.headers[0]["link"].startswith(f"<{url}>")
        assert (await client.delete(location)).status_code == 204
        update = {"brand": {"type": "Property", "value": "Renkei 2"}}
        patched = await client.patch(f"{ENTITIES}/{SENSOR_ID}/attrs", json=update, headers=ld)
        assert_problem(patched, 503, "LdContextNotAvailable")  # requests no longer resolve it
        plain = {"https://schema.org/brand": {"type": "Property", "value": "Renkei 2"}}
        url_path = f"{ENTITIES}/{SENSOR_ID}/attrs"
        patched = await client.patch(url_path, json=plain, headers=JSON_HEADERS)
        assert patched.status_code == 204, patched.text
        notifications = await received(target, 2)
        assert notifications[1]["data"][0]["brand"]["value"] == "Renkei 2"
