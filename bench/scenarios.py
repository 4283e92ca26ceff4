"""The scenario registry, and the scenarios.

A scenario is an async function of the harness and a store that returns one `Result`: its
figure and the baseline measured in the same run to read it against. Register one with
`@scenario(name, summary, stores=...)`; `python -m bench.run` runs every registered scenario in
registration order (or those named with --only) on each of its stores that --stores selects.
Scenarios of one area live in their own module named `bench/scenarios_<area>.py`, which
`load_scenarios` imports (in name order) after the core ones below.
A scenario that cannot run (PostgreSQL unreachable, say) raises `Unavailable` and is reported
as skipped with the reason.
"""

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import httpx

from bench.client import Target, target
from bench.entities import ENTITY_TYPE, entity_id
from bench.harness import STORES, Harness, Result, measured, progress, report, unique
from bench.load import FloodedLoad, HttpLoad, PostgresLoad
from bench.mqtt import IngestLoad, RawMqttLoad
from bench.notify import NotifyLoad
from bench.servers import Unavailable
from bench.workloads import (
    RAW_INSERT,
    RAW_TABLE_DDL,
    CreateEntities,
    GetById,
    NearQuery,
    QueryEntities,
    RawRows,
    UpsertBatches,
    V2CreateEntities,
    V2GetById,
)

ScenarioFunction = Callable[[Harness, str], Awaitable[Result]]
QUERY_TENANT = "bench_query"
QUERY_LIMIT = "100"
MQTT_TENANT = "bench_mqtt"
MQTT_SENSORS = 1000
NOTIFY_TENANT = "bench_notify"
NOTIFY_RATE = 20.0  # updates/s of the notify scenario: well below a 2-core server's capacity
NOTIFY_MAX_RATE = 400.0  # updates/s offered by notify-max: more than the server commits


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    stores: tuple[str, ...]
    run: ScenarioFunction


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    name: str, summary: str, *, stores: tuple[str, ...] = STORES
) -> Callable[[ScenarioFunction], ScenarioFunction]:
    def register(function: ScenarioFunction) -> ScenarioFunction:
        SCENARIOS[name] = Scenario(name, summary, stores, function)
        return function

    return register


def load_scenarios() -> dict[str, Scenario]:
    """Every registered scenario: the core ones of this module, then each `scenarios_*` module's."""
    import bench

    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("scenarios_"):
            importlib.import_module(f"bench.{module}")
    return SCENARIOS


async def run_scenarios(harness: Harness, names: list[str]) -> list[Result]:
    results = []
    for name in names:
        chosen = SCENARIOS[name]
        for store in (s for s in harness.options.stores if s in chosen.stores):
            progress(f"{name} on {store}")
            try:
                result = await chosen.run(harness, store)
            except Unavailable as error:
                progress(f"  skipped: {error}")
                result = Result(name, store, "-", skipped=str(error))
            results.append(result)
    return results


# -- scenarios ------------------------------------------------------------------------------


@scenario("create", "single-entity creates/s (POST /entities), against hello-world req/s")
async def create(h: Harness, store: str) -> Result:
    server = await h.renkei(store)
    baseline = await h.hello_baseline()
    load = h.http_load(server, CreateEntities(unique("c")), tenant="bench_create")
    measurement = await h.measure(load)
    report("create", store, "creates/s", measurement)
    return measured(
        "create", store, "creates/s", measurement, baseline_name="hello", baseline=baseline
    )


@scenario("get", "Retrieve Entity req/s (GET /entities/{id}), against hello-world req/s")
async def get(h: Harness, store: str) -> Result:
    count = h.options.get_ids
    server = await h.dataset(store, "bench_get", "g", count)
    baseline = await h.hello_baseline()
    ids = tuple(entity_id("g", n) for n in range(count))
    measurement = await h.measure(h.http_load(server, GetById(ids), tenant="bench_get"))
    report("get", store, "req/s", measurement)
    return measured("get", store, "req/s", measurement, baseline_name="hello", baseline=baseline)


@scenario("v2-create", "single-entity creates/s (POST /v2/entities), against hello-world req/s")
async def v2_create(h: Harness, store: str) -> Result:
    server = await h.renkei(store)
    baseline = await h.hello_baseline()
    load = h.http_load(server, V2CreateEntities(unique("v")), tenant="bench_create")
    measurement = await h.measure(load)
    report("v2-create", store, "creates/s", measurement)
    return measured(
        "v2-create", store, "creates/s", measurement, baseline_name="hello", baseline=baseline
    )


@scenario("v2-get", "GET /v2/entities/{id} req/s over the get data set, against hello-world")
async def v2_get(h: Harness, store: str) -> Result:
    count = h.options.get_ids
    server = await h.dataset(store, "bench_get", "g", count)
    baseline = await h.hello_baseline()
    load = h.http_load(server, V2GetById("g", count), tenant="bench_get")
    measurement = await h.measure(load)
    report("v2-get", store, "req/s", measurement)
    return measured("v2-get", store, "req/s", measurement, baseline_name="hello", baseline=baseline)


@scenario(
    "upsert",
    "batch upsert entities/s (POST /entityOperations/upsert), against asyncpg executemany",
    stores=("postgresql",),
)
async def upsert(h: Harness, store: str) -> Result:
    size = h.options.batch_size
    database = await h.postgres()
    server = await h.renkei(store)
    load = h.http_load(server, UpsertBatches(unique("u"), size), tenant="bench_upsert", batch=size)
    measurement = await h.measure(load)
    report("upsert", store, "entities/s", measurement)
    connection = await asyncpg.connect(database.dsn)
    try:
        await connection.execute(RAW_TABLE_DDL)
    finally:
        await connection.close()
    raw = await h.measure(
        PostgresLoad(
            dsn=database.dsn,
            statement=RAW_INSERT,
            batches=RawRows(unique("r"), size),
            batch_size=size,
            concurrency=h.options.batch_clients,
            window=h.options.window,
        )
    )
    report("executemany", store, "entities/s", raw)
    result = measured(
        "upsert",
        store,
        "entities/s",
        measurement,
        baseline_name="executemany",
        baseline=raw,
        baseline_unit="entities/s",
    )
    result.notes = {"batch_size": size, "clients": h.options.batch_clients}
    return result


@scenario("query", "type+q query req/s over the data set (GET /entities?type&q&limit)")
async def query(h: Harness, store: str) -> Result:
    server = await h.dataset(store, QUERY_TENANT, "q", h.options.entities)
    baseline = await h.hello_baseline()
    params = (
        ("type", ENTITY_TYPE),
        ("q", "peopleCount>500;congested==true"),
        ("limit", QUERY_LIMIT),
    )
    measurement = await h.measure(h.http_load(server, QueryEntities(params), tenant=QUERY_TENANT))
    report("query", store, "req/s", measurement)
    result = measured(
        "query", store, "req/s", measurement, baseline_name="hello", baseline=baseline
    )
    result.notes = {"entities": h.options.entities, "params": dict(params)}
    return result


@scenario("geo", "near geo-query req/s over the data set (georel=near;maxDistance==500)")
async def geo(h: Harness, store: str) -> Result:
    server = await h.dataset(store, QUERY_TENANT, "q", h.options.entities)
    baseline = await h.hello_baseline()
    params = (
        ("type", ENTITY_TYPE),
        ("georel", "near;maxDistance==500"),
        ("geometry", "Point"),
        ("limit", QUERY_LIMIT),
    )
    measurement = await h.measure(h.http_load(server, NearQuery(params), tenant=QUERY_TENANT))
    report("geo", store, "req/s", measurement)
    result = measured("geo", store, "req/s", measurement, baseline_name="hello", baseline=baseline)
    result.notes = {"entities": h.options.entities, "params": dict(params)}
    return result


@scenario(
    "auth-create",
    "single-entity creates/s with auth and audit on, against the same server with both off",
)
async def auth_create(h: Harness, store: str) -> Result:
    open_server = await h.renkei(store, secure=False)
    baseline = await h.measure(
        h.http_load(open_server, CreateEntities(unique("o")), tenant="bench_create")
    )
    report("create (auth, audit off)", store, "creates/s", baseline)
    server = await h.renkei(store)
    measurement = await h.measure(
        h.http_load(server, CreateEntities(unique("a")), tenant="bench_create")
    )
    report("create (auth, audit on)", store, "creates/s", measurement)
    return measured(
        "auth-create",
        store,
        "creates/s",
        measurement,
        baseline_name="no auth",
        baseline=baseline,
        baseline_unit="creates/s",
    )


@scenario(
    "auth-get", "GET-by-id req/s with auth and audit on, against the same server with both off"
)
async def auth_get(h: Harness, store: str) -> Result:
    count = h.options.get_ids
    ids = tuple(entity_id("g", n) for n in range(count))
    open_server = await h.dataset(store, "bench_get", "g", count, secure=False)
    baseline = await h.measure(h.http_load(open_server, GetById(ids), tenant="bench_get"))
    report("get (auth, audit off)", store, "req/s", baseline)
    server = await h.dataset(store, "bench_get", "g", count)
    measurement = await h.measure(h.http_load(server, GetById(ids), tenant="bench_get"))
    report("get (auth, audit on)", store, "req/s", measurement)
    return measured(
        "auth-get", store, "req/s", measurement, baseline_name="no auth", baseline=baseline
    )


@scenario(
    "mqtt-ingest",
    "device measures/s from MQTT publish to committed entity update, against paho "
    "publish→subscribe msg/s on the same Mosquitto",
)
async def mqtt_ingest(h: Harness, store: str) -> Result:
    broker = await h.mosquitto(store)
    raw = await h.measure(RawMqttLoad(broker.url, h.options.window))
    report("mqtt publish→subscribe", store, "msg/s", raw)
    server = await h.renkei(store, mqtt_url=broker.url)
    apikey = unique("k")
    goal = target(server.base_url, auth=server.auth)
    headers = goal.header_dict() | {"Fiware-Service": MQTT_TENANT}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:
        group = {"apikey": apikey, "entity_type": ENTITY_TYPE}
        response = await http.post("/iot/services", json={"services": [group]})
        response.raise_for_status()
    load = IngestLoad(
        url=broker.url,
        target=Target(server.base_url, tuple(headers.items())),
        apikey=apikey,
        sensors=MQTT_SENSORS,
        window=h.options.window,
        server_pid=server.pid,
    )
    measurement = await h.measure(load)
    report("mqtt-ingest", store, "measures/s", measurement)
    result = measured(
        "mqtt-ingest",
        store,
        "measures/s",
        measurement,
        baseline_name="paho pub→sub",
        baseline=raw,
        baseline_unit="msg/s",
    )
    result.notes = {"sensors": MQTT_SENSORS, "qos": 1, "batch_size": "RENKEI_IOT_BATCH_SIZE"}
    return result


async def _notify(h: Harness, store: str, name: str, rate: float) -> Result:
    server = await h.renkei(store)
    load = NotifyLoad(
        target=target(server.base_url, tenant=NOTIFY_TENANT, auth=server.auth),
        rate=rate,
        window=h.options.window,
        server_pid=server.pid,
    )
    measured_load = await h.measure_notify(load)
    report("updates", store, "updates/s", measured_load.updates)
    report(name, store, "notifications/s", measured_load.notifications)
    result = measured(
        name,
        store,
        "notifications/s",
        measured_load.notifications,
        baseline_name="updates",
        baseline=measured_load.updates,
        baseline_unit="updates/s",
    )
    result.notes = {"offered_updates_per_s": rate, "latency": "update commit → receipt"}
    return result


@scenario(
    "notify",
    f"commit→receipt latency of notifications at a steady {NOTIFY_RATE:.0f} updates/s, "
    "notifications/s against the updates/s committed",
)
async def notify(h: Harness, store: str) -> Result:
    return await _notify(h, store, "notify", NOTIFY_RATE)


@scenario(
    "notify-max",
    f"notifications/s with updates offered at {NOTIFY_MAX_RATE:.0f}/s (more than the server "
    "commits), against the updates/s committed",
)
async def notify_max(h: Harness, store: str) -> Result:
    return await _notify(h, store, "notify-max", NOTIFY_MAX_RATE)


NOISY_QUOTA = 20.0  # requests/s of the flooding tenant (RENKEI_RATE_LIMIT_TENANT)
NOISY_FLOOD = 10  # times its quota it sends
NOISY_CLIENTS = 4  # clients of the quiet tenant, back to back


@scenario(
    "noisy",
    f"a quiet tenant's GET-by-id p99 while another floods at {NOISY_FLOOD}x its "
    f"{NOISY_QUOTA:.0f} req/s quota, against its p99 with no flood",
)
async def noisy(h: Harness, store: str) -> Result:
    count = h.options.get_ids
    server = await h.dataset(store, "bench_quiet", "g", count, tenant_rate_limit=NOISY_QUOTA)
    ids = tuple(entity_id("g", n) for n in range(count))
    quiet = HttpLoad(
        target=target(server.base_url, tenant="bench_quiet", auth=server.auth),
        requests=GetById(ids),
        concurrency=NOISY_CLIENTS,
        window=h.options.window,
        server_pid=server.pid,
    )
    alone = await h.measure(quiet)
    report("noisy: quiet tenant alone", store, "req/s", alone)
    flood = FloodedLoad(
        measured=quiet,
        flood_target=target(server.base_url, tenant="bench_flood", auth=server.auth),
        flood=GetById(ids),
        flood_rate=NOISY_QUOTA * NOISY_FLOOD,
    )
    flooded = await h.measure(flood)
    report("noisy: quiet tenant beside the flood", store, "req/s", flooded)
    result = Result(
        scenario="noisy",
        store=store,
        unit="p99 ms",
        figure=flooded.p99_ms,
        baseline_name="p99 alone",
        baseline=alone.p99_ms,
        baseline_unit="p99 ms",
        measurement=flooded,
        baseline_measurement=alone,
    )
    result.notes = {
        "quota_req_per_s": NOISY_QUOTA,
        "flood_offered_req_per_s": NOISY_QUOTA * NOISY_FLOOD,
        "flood_answers": flooded.counts,
        "quiet_clients": NOISY_CLIENTS,
        "target": "ratio (p99 beside the flood / p99 alone) within 2",
    }
    return result
