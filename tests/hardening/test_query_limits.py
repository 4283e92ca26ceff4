"""Query parameters every later step can afford (issue 20): offsets within 64 bits, q and type
selections of bounded depth and size, lists of bounded length. Past a bound the answer is 400
BadRequestData at once, before any SQL; up to it the query runs on both stores."""

import httpx
import pytest

from broker.entities.dependencies import MAX_IDS, MAX_NAMES
from broker.entities.query.grammar import MAX_DEPTH, MAX_TERMS
from tests.broker.entities.helpers import ENTITIES, assert_problem, headers

TOO_FAR = str(2**63)


@pytest.mark.parametrize(
    "path",
    [
        f"{ENTITIES}?type=T&offset={TOO_FAR}",
        f"/ngsi-ld/v1/subscriptions?offset={TOO_FAR}",
        f"/ngsi-ld/v1/temporal/entities?type=T&offset={TOO_FAR}",
        f"/ngsi-ld/v1/csourceRegistrations?offset={TOO_FAR}",
        f"/iot/devices?offset={TOO_FAR}",
    ],
)
async def test_an_offset_past_64_bits_is_bad_request(client: httpx.AsyncClient, path: str) -> None:
    assert_problem(await client.get(path, headers=headers()), 400, "BadRequestData")


async def test_the_largest_offset_is_answered(client: httpx.AsyncClient) -> None:
    found = await client.get(f"{ENTITIES}?type=T&offset={2**63 - 1}", headers=headers())
    assert found.status_code == 200 and found.json() == []


def _q(terms: int) -> str:
    return ";".join(f"a{n}==1" for n in range(terms))


async def test_q_within_its_bounds_runs_and_past_them_is_refused(
    client: httpx.AsyncClient,
) -> None:
    deep = "(" * MAX_DEPTH + "a==1" + ")" * MAX_DEPTH
    for q in (deep, _q(MAX_TERMS)):
        assert (await client.get(ENTITIES, params={"type": "T", "q": q})).status_code == 200
    deeper = "(" * (MAX_DEPTH + 1) + "a==1" + ")" * (MAX_DEPTH + 1)
    for q in (deeper, "(" * 5000 + "a==1" + ")" * 5000, _q(MAX_TERMS + 1), _q(2000)):
        refused = await client.get(ENTITIES, params={"type": "T", "q": q})
        assert_problem(refused, 400, "BadRequestData")


async def test_type_selections_are_bounded_in_names_and_in_alternatives(
    client: httpx.AsyncClient,
) -> None:
    names = "|".join(f"T{n}" for n in range(MAX_TERMS))
    assert (await client.get(ENTITIES, params={"type": names})).status_code == 200
    too_many = ",".join(f"T{n}" for n in range(MAX_TERMS + 1))
    assert_problem(await client.get(ENTITIES, params={"type": too_many}), 400, "BadRequestData")
    # (A0|B0);(A1|B1);... multiplies out to 2^30 alternatives
    blowup = ";".join(f"(A{n}|B{n})" for n in range(30))
    assert_problem(await client.get(ENTITIES, params={"type": blowup}), 400, "BadRequestData")


async def test_lists_are_bounded(client: httpx.AsyncClient) -> None:
    attrs = ",".join(f"a{n}" for n in range(MAX_NAMES))
    every = {"type": "|".join(f"T{n}" for n in range(MAX_TERMS)), "q": _q(MAX_TERMS)}
    assert (await client.get(ENTITIES, params={**every, "attrs": attrs})).status_code == 200
    ids = ",".join(f"urn:ngsi-ld:T:{n}" for n in range(MAX_IDS))
    found = await client.get(ENTITIES, params={"type": "T", "id": ids})
    assert found.status_code == 200, found.text
    for params in (
        {"type": "T", "attrs": attrs + ",more"},
        {"type": "T", "id": ids + ",urn:ngsi-ld:T:more"},
        {"type": "T", "scopeQ": ",".join(f"/s{n}" for n in range(MAX_TERMS + 1))},
    ):
        assert_problem(await client.get(ENTITIES, params=params), 400, "BadRequestData")
