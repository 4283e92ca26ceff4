"""The data the scenarios send: CrowdFlowObserved people-flow counters spread over Kanagawa.

Everything is derived from an entity's number, so the same number always gives the same entity,
in any process. About 25% of entities have peopleCount > 500 and congested == true.
"""

import random
from typing import Any

ENTITY_TYPE = "CrowdFlowObserved"
# Kanagawa prefecture, roughly: 70 km by 60 km, so 100,000 points put ~20 within 500 m of a point.
WEST, SOUTH, EAST, NORTH = 139.05, 35.15, 139.80, 35.70
OBSERVED_AT = "2026-11-22T09:00:00Z"


def entity_id(prefix: str, n: int) -> str:
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{prefix}-{n:07d}"


def coordinates(rng: random.Random) -> list[float]:
    return [round(rng.uniform(WEST, EAST), 6), round(rng.uniform(SOUTH, NORTH), 6)]


def crowd_flow(prefix: str, n: int) -> dict[str, Any]:
    """Entity number `n`, in normalized NGSI-LD form (about 400 bytes of JSON)."""
    rng = random.Random(n)
    people = rng.randrange(0, 1000)
    return {
        "id": entity_id(prefix, n),
        "type": ENTITY_TYPE,
        "peopleCount": {"type": "Property", "value": people, "observedAt": OBSERVED_AT},
        "congested": {"type": "Property", "value": people > 250 and rng.random() < 0.5},
        "occupancy": {"type": "Property", "value": round(people / 1000, 3)},
        "direction": {"type": "Property", "value": rng.choice(("inbound", "outbound"))},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": coordinates(rng)},
        },
    }


def crowd_flows(prefix: str, start: int, count: int) -> list[dict[str, Any]]:
    return [crowd_flow(prefix, n) for n in range(start, start + count)]


def query_points(count: int, seed: int = 2026) -> list[list[float]]:
    """Points to run geo-queries around, inside the area the entities cover."""
    rng = random.Random(seed)
    return [coordinates(rng) for _ in range(count)]


def v2_crowd_flow(prefix: str, n: int) -> dict[str, Any]:
    """Entity number `n` in NGSI-v2 form: the same data as `crowd_flow`, with a v2 id."""
    ld = crowd_flow(prefix, n)
    return {
        "id": f"{prefix}-{n:07d}",
        "type": ENTITY_TYPE,
        "peopleCount": {
            "type": "Number",
            "value": ld["peopleCount"]["value"],
            "metadata": {"TimeInstant": {"type": "DateTime", "value": OBSERVED_AT}},
        },
        "congested": {"type": "Boolean", "value": ld["congested"]["value"]},
        "occupancy": {"type": "Number", "value": ld["occupancy"]["value"]},
        "direction": {"type": "Text", "value": ld["direction"]["value"]},
        "location": {"type": "geo:json", "value": ld["location"]["value"]},
    }
