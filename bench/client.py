"""What every benchmark request carries: the server's address and the headers, auth included.

Renkei servers run with auth on, as in production: the harness registers the benchmark's
tenants and a client with the CLI before the server starts (`prepare_auth`), then fetches one
client-credentials token per server (`token_headers`) before any measurement, so token requests
never count against a scenario. Loads and data set uploads build their headers with `target()`.
"""

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

TENANT_HEADER = "NGSILD-Tenant"
# The v2 face names the same tenant with Fiware-Service; LD routes ignore it.
FIWARE_SERVICE_HEADER = "Fiware-Service"
BENCH_CLIENT = "bench"
TENANTS = (
    "bench_create",
    "bench_get",
    "bench_upsert",
    "bench_query",
    "bench_mqtt",
    "bench_notify",
    "bench_quiet",
    "bench_flood",
)
# The noisy-neighbour scenario's quiet municipality has a limit of its own far above its load;
# the flooding one keeps the server's default (RENKEI_RATE_LIMIT_TENANT).
TENANT_RATE_LIMITS = {"bench_quiet": "100000"}
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    """A server to load and the headers every request carries (picklable, for the load process)."""

    base_url: str
    headers: tuple[tuple[str, str], ...] = ()

    def header_dict(self) -> dict[str, str]:
        return dict(self.headers)


async def _renkei(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "broker.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"renkei {' '.join(args)} failed: {out.decode()} {err.decode()}")
    return out.decode()


async def prepare_auth(env: dict[str, str]) -> tuple[str, str]:
    """Register the benchmark tenants and a client of every scope; returns (id, secret)."""
    for tenant in TENANTS:
        limit = TENANT_RATE_LIMITS.get(tenant)
        await _renkei(env, "tenant", "add", tenant, *(["--rate-limit", limit] if limit else []))
    created = await _renkei(
        env,
        "client",
        "add",
        "--id",
        BENCH_CLIENT,
        "--name",
        "benchmark",
        "--scopes",
        "ngsi-ld:read ngsi-ld:write ngsi-ld:subscribe devices:manage",
        "--tenants",
        "*",
    )
    return BENCH_CLIENT, str(json.loads(created)["secret"])


async def token_headers(base_url: str, client_id: str, secret: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        response = await http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def target(
    base_url: str, *, tenant: str | None = None, auth: dict[str, str] | None = None
) -> Target:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if tenant is not None:
        headers[TENANT_HEADER] = tenant
        headers[FIWARE_SERVICE_HEADER] = tenant
    headers |= auth or {}
    return Target(base_url, tuple(headers.items()))
