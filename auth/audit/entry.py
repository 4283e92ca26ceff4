"""An audit entry, and the hash that links it into its chain.

A record's hash is SHA-256 over the previous record's hash and the canonical JSON (sorted keys,
UTC times with microseconds) of every field of the record, its chain and sequence number
included; so editing, inserting, reordering or deleting records breaks the chain.
"""

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

GENESIS = "0" * 64
NO_TENANT = "*"  # the chain of calls outside any tenant (admin API, token endpoint, 401s)
READ, WRITE = "read", "write"


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class AuditEntry:
    recorded_at: datetime
    tenant: str
    method: str
    route: str
    path: str
    status: int
    kind: str
    request_id: str | None = None
    client_id: str | None = None
    subject: str | None = None
    requested_tenant: str | None = None
    entity_ids: list[str] = field(default_factory=list)
    entity_count: int = 0
    latency_us: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["recorded_at"] = _time(self.recorded_at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AuditEntry":
        moment = datetime.fromisoformat(data["recorded_at"].replace("Z", "+00:00"))
        return cls(**{**data, "recorded_at": moment})

    def columns(self, seq: int, prev_hash: str) -> dict[str, Any]:
        """The audit_records row of this entry at `seq` after `prev_hash`."""
        data = asdict(self)
        data["tenant_id"] = data.pop("tenant")
        row = {**data, "seq": seq, "prev_hash": prev_hash}
        row["hash"] = record_hash(row)
        return row


_HASHED = (
    "tenant_id",
    "seq",
    "recorded_at",
    "request_id",
    "client_id",
    "subject",
    "requested_tenant",
    "method",
    "route",
    "path",
    "status",
    "kind",
    "entity_ids",
    "entity_count",
    "latency_us",
    "bytes_in",
    "bytes_out",
    "source",
)


def record_hash(row: dict[str, Any]) -> str:
    """The hash of a record row (as stored or about to be), over its fields and prev_hash."""
    fields = {name: row[name] for name in _HASHED}
    fields["recorded_at"] = _time(fields["recorded_at"])
    canonical = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(row["prev_hash"].encode() + b"\n" + canonical).hexdigest()
