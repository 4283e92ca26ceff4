"""What each scenario sends: picklable request and row sources for the load process."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.entities import ENTITY_TYPE, crowd_flow, crowd_flows, query_points, v2_crowd_flow
from bench.load import Request

NGSI_LD = "/ngsi-ld/v1"
CREATED = frozenset({201})
UPSERTED = frozenset({201, 204})


@dataclass(frozen=True)
class Hello:
    def request(self, n: int) -> Request:
        return Request("GET", "/hello")


@dataclass(frozen=True)
class CreateEntities:
    """One new entity per request (ids never repeat within `prefix`)."""

    prefix: str

    def request(self, n: int) -> Request:
        body = orjson.dumps(crowd_flow(self.prefix, n))
        return Request("POST", f"{NGSI_LD}/entities", body=body, expect=CREATED)


@dataclass(frozen=True)
class GetById:
    """Retrieve Entity, walking over `ids` in a scattered order."""

    ids: tuple[str, ...]

    def request(self, n: int) -> Request:
        entity_id = self.ids[(n * 7919) % len(self.ids)]
        return Request("GET", f"{NGSI_LD}/entities/{entity_id}")


@dataclass(frozen=True)
class V2CreateEntities:
    """One new entity per request through the NGSI-v2 face (POST /v2/entities)."""

    prefix: str

    def request(self, n: int) -> Request:
        body = orjson.dumps(v2_crowd_flow(self.prefix, n))
        return Request("POST", "/v2/entities", body=body, expect=CREATED)


@dataclass(frozen=True)
class V2GetById:
    """GET /v2/entities/{id}?type=... over the LD data set: v2 ids of `prefix`-entities."""

    prefix: str
    count: int

    def request(self, n: int) -> Request:
        number = (n * 7919) % self.count
        return Request(
            "GET", f"/v2/entities/{self.prefix}-{number:07d}", params={"type": ENTITY_TYPE}
        )


@dataclass(frozen=True)
class QueryEntities:
    """GET /entities with the same parameters every time."""

    params: tuple[tuple[str, str], ...]

    def request(self, n: int) -> Request:
        return Request("GET", f"{NGSI_LD}/entities", params=dict(self.params))


@dataclass(frozen=True)
class NearQuery:
    """GET /entities near one of `points` points (a different one each request)."""

    params: tuple[tuple[str, str], ...]
    points: int = 1000

    def request(self, n: int) -> Request:
        lon, lat = _points(self.points)[n % self.points]
        params = dict(self.params) | {"coordinates": f"[{lon},{lat}]"}
        return Request("GET", f"{NGSI_LD}/entities", params=params)


_POINTS: dict[int, list[list[float]]] = {}


def _points(count: int) -> list[list[float]]:
    if count not in _POINTS:
        _POINTS[count] = query_points(count)
    return _POINTS[count]


@dataclass(frozen=True)
class UpsertBatches:
    """Batch upserts of `size` new entities each (batch n holds entities n*size ...)."""

    prefix: str
    size: int

    def request(self, n: int) -> Request:
        body = orjson.dumps(crowd_flows(self.prefix, n * self.size, self.size))
        return Request("POST", f"{NGSI_LD}/entityOperations/upsert", body=body, expect=UPSERTED)


# The raw baseline's table has the columns of Renkei's `entities` table and its primary key,
# and nothing else: no foreign key, no secondary index, no type table.
RAW_TABLE = "bench_raw_entities"
RAW_TABLE_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW_TABLE} (
    tenant_id varchar(64) NOT NULL,
    id varchar(2048) NOT NULL,
    types jsonb NOT NULL,
    scopes jsonb,
    attrs jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    modified_at timestamptz NOT NULL,
    bbox_west double precision,
    bbox_south double precision,
    bbox_east double precision,
    bbox_north double precision,
    PRIMARY KEY (tenant_id, id)
)
"""
RAW_INSERT = (
    f"INSERT INTO {RAW_TABLE} (tenant_id, id, types, scopes, attrs, created_at, modified_at, "
    "bbox_west, bbox_south, bbox_east, bbox_north) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)


def raw_row(entity: dict[str, Any], tenant: str, now: datetime) -> tuple[Any, ...]:
    """An entity as a row of the raw table: the attributes as sent, as one JSON document."""
    attrs = {k: v for k, v in entity.items() if k not in ("id", "type")}
    lon, lat = entity["location"]["value"]["coordinates"]
    types = orjson.dumps([entity["type"]]).decode()
    document = orjson.dumps(attrs).decode()
    return (tenant, entity["id"], types, None, document, now, now, lon, lat, lon, lat)


@dataclass(frozen=True)
class RawRows:
    """The rows of the same batches `UpsertBatches` sends, for asyncpg's executemany."""

    prefix: str
    size: int
    tenant: str = "default"

    def rows(self, n: int) -> list[tuple[Any, ...]]:
        now = datetime.now(UTC)
        entities = crowd_flows(self.prefix, n * self.size, self.size)
        return [raw_row(entity, self.tenant, now) for entity in entities]
