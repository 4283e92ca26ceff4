"""Clause 5.5.9 (pagination): a page of Query Entities links to the previous and the next page.

The spec names RFC 8288 Link headers with the relations "prev" and "next" whose targets repeat
the request with offset and limit moved; Stellio and Scorpio send them with
type="application/ld+json". The @context Link header of an application/json response stays.
"""

import httpx
import pytest
from fastapi import FastAPI

from tests.broker.entities.helpers import ENTITIES, headers

BATCH = "/ngsi-ld/v1/entityOperations/create"


async def _store(client: httpx.AsyncClient, n: int) -> None:
    entities = [
        {
            "id": f"urn:ngsi-ld:Counter:{i:02d}",
            "type": "Counter",
            "n": {"type": "Property", "value": i},
        }
        for i in range(n)
    ]
    response = await client.post(BATCH, json=entities, headers=headers())
    assert response.status_code == 201, response.text


def _pages(response: httpx.Response) -> dict[str, str]:
    """rel -> target of the paging links (the @context link has rel = the JSON-LD IRI)."""
    found = {}
    for value in response.headers.get_list("link"):
        target, *params = (part.strip() for part in value.split(";"))
        rel = dict(p.split("=", 1) for p in params)["rel"].strip('"')
        if rel in ("prev", "next"):
            found[rel] = target.strip("<>")
            assert 'type="application/ld+json"' in value
    return found


async def _page(client: httpx.AsyncClient, url: str) -> list[str]:
    response = await client.get(url, headers=headers())
    assert response.status_code == 200, response.text
    return [e["id"][-2:] for e in response.json()]


async def test_first_page_links_only_to_the_next(client: httpx.AsyncClient) -> None:
    await _store(client, 5)
    response = await client.get(ENTITIES, params={"type": "Counter", "limit": 2}, headers=headers())
    assert [e["id"][-2:] for e in response.json()] == ["00", "01"]
    links = _pages(response)
    assert set(links) == {"next"}
    target = httpx.URL(links["next"])
    assert target.path == ENTITIES
    assert dict(target.params) == {"type": "Counter", "limit": "2", "offset": "2"}
    # the @context Link of a JSON response is still there
    assert any("json-ld#context" in v for v in response.headers.get_list("link"))


async def test_following_next_and_prev_walks_every_entity_once(client: httpx.AsyncClient) -> None:
    await _store(client, 5)
    url: str | None = f"{ENTITIES}?type=Counter&q=n>=0&limit=2"
    seen: list[str] = []
    last = None
    while url is not None:
        response = await client.get(url, headers=headers())
        seen += [e["id"][-2:] for e in response.json()]
        links = _pages(response)
        for target in links.values():  # every other parameter is kept
            assert httpx.URL(target).params["q"] == "n>=0"
        last, url = response, links.get("next")
    assert seen == ["00", "01", "02", "03", "04"]
    assert last is not None
    prev = _pages(last)["prev"]
    assert httpx.URL(prev).params["offset"] == "2"
    assert await _page(client, prev) == ["02", "03"]


@pytest.mark.parametrize(
    ("stored", "offset", "expected"), [(4, 2, {"prev"}), (5, 2, {"prev", "next"}), (2, 0, set())]
)
async def test_next_only_when_an_entity_follows(
    client: httpx.AsyncClient, stored: int, offset: int, expected: set[str]
) -> None:
    """A page that ends exactly at the last entity has no next link (no empty last page)."""
    await _store(client, stored)
    params = {"type": "Counter", "limit": 2, "offset": offset}
    response = await client.get(ENTITIES, params=params, headers=headers())
    assert set(_pages(response)) == expected


async def test_prev_of_a_short_offset_starts_at_zero(client: httpx.AsyncClient) -> None:
    await _store(client, 5)
    params = {"type": "Counter", "limit": 3, "offset": 1}
    links = _pages(await client.get(ENTITIES, params=params, headers=headers()))
    prev = httpx.URL(links["prev"]).params
    assert (prev["offset"], prev["limit"]) == ("0", "3")


async def test_count_only_request_has_no_page_links(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await _store(client, 3)
    params = {"type": "Counter", "limit": 0, "count": "true"}
    response = await client.get(ENTITIES, params=params, headers=headers())
    assert response.headers["NGSILD-Results-Count"] == "3"
    assert _pages(response) == {}


async def test_subscription_pages_link_to_each_other(client: httpx.AsyncClient) -> None:
    """5.5.9 applies to Query Subscriptions (6.10.3.2) as to Query Entities."""
    for i in range(3):
        subscription = {
            "id": f"urn:ngsi-ld:Subscription:page-{i}",
            "type": "Subscription",
            "entities": [{"type": "Counter"}],
            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}},
        }
        created = await client.post(
            "/ngsi-ld/v1/subscriptions", json=subscription, headers=headers()
        )
        assert created.status_code == 201, created.text
    first = await client.get("/ngsi-ld/v1/subscriptions", params={"limit": 2}, headers=headers())
    assert len(first.json()) == 2
    links = _pages(first)
    assert set(links) == {"next"}
    last = await client.get(links["next"], headers=headers())
    assert [s["id"][-1] for s in last.json()] == ["2"]
    assert set(_pages(last)) == {"prev"}
