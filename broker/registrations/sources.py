"""What the distributed operations know of a registration: plain frozen data, never ORM rows.

The registration service answers "which sources may serve this request" with `RegisteredSource`
values; the distributed operations (fan-out, merge, forwarding) consume them, and the HTTP
calls to a source are made in `connectors/sources/`. Names are expanded IRIs throughout.
"""

from dataclasses import dataclass
from typing import Literal

Mode = Literal["inclusive", "exclusive", "redirect", "auxiliary"]


@dataclass(frozen=True)
class EntitySelector:
    """One member of a registration's `information[].entities`: a type, and an id or a pattern."""

    type: str
    id: str | None = None
    id_pattern: str | None = None


@dataclass(frozen=True)
class RegisteredSource:
    registration_id: str
    tenant_id: str  # the Renkei tenant the registration belongs to
    endpoint: str  # the source's base URL, as registered (calls add /ngsi-ld/v1/...)
    mode: Mode
    operations: frozenset[str]  # operation names, with the groups already expanded
    entities: tuple[EntitySelector, ...]  # empty: any entity
    property_names: frozenset[str]  # empty with relationship_names empty: any attribute
    relationship_names: frozenset[str]
    remote_tenant: str | None  # the NGSILD-Tenant to send to the source
    headers: tuple[tuple[str, str], ...]  # contextSourceInfo, in clear for the call only
    timeout_seconds: float | None  # management.timeout
    cooldown_seconds: float | None  # management.cooldown
    local_only: bool  # management.localOnly: the source must not forward further

    @property
    def attribute_names(self) -> frozenset[str]:
        return self.property_names | self.relationship_names
