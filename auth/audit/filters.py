"""Which audit records a caller asks for: plain data, compiled to SQL by the repository."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordFilter:
    tenants: Sequence[str] | None  # None: every chain
    tenant: str | None = None
    client: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    route: str | None = None
    method: str | None = None
    status: int | None = None
    kind: str | None = None
