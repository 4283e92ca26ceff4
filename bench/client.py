"""What every benchmark request carries: the server's address and the headers, auth included.

`credentials()` is the one place where the harness will obtain an OAuth2 bearer token once the
server requires one: it runs once per server, before any measurement, so token requests never
count against a scenario. Loads and data set uploads all build their headers through `target()`.
"""

from dataclasses import dataclass

TENANT_HEADER = "NGSILD-Tenant"


@dataclass(frozen=True)
class Target:
    """A server to load and the headers every request carries (picklable, for the load process)."""

    base_url: str
    headers: tuple[tuple[str, str], ...] = ()

    def header_dict(self) -> dict[str, str]:
        return dict(self.headers)


def credentials(base_url: str) -> dict[str, str]:
    """Headers that authenticate the benchmark client; none while Renkei has no auth.

    When the server requires OAuth2, fetch a client-credentials token from its token endpoint
    here and return ``{"Authorization": f"Bearer {token}"}``; an auth on/off scenario can then
    compare a server with auth against one without.
    """
    return {}


def target(base_url: str, *, tenant: str | None = None, auth: bool = True) -> Target:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if tenant is not None:
        headers[TENANT_HEADER] = tenant
    if auth:
        headers |= credentials(base_url)
    return Target(base_url, tuple(headers.items()))
