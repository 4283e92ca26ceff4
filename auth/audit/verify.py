"""Verification of the audit log: is every chain intact, and where does it break?

For each chain: sequence numbers run 1, 2, 3 … without gaps (a gap is a deleted record), each
record's hash is recomputed from its fields (a difference is an edited record), each record
names its predecessor's hash, the chain head matches the last record (records deleted from the
end), and every signed checkpoint verifies with the server's keys and matches the record at its
sequence number (a chain rewritten with fresh hashes).
"""

from dataclasses import dataclass, field
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.entry import GENESIS, record_hash
from auth.audit.models import AuditChain, AuditCheckpoint, AuditRecord
from auth.audit.repository import AuditChainRepository, AuditInboxRepository, AuditRepository


@dataclass
class ChainReport:
    tenant: str
    records: int = 0
    checkpoints: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first_break(self) -> int | None:
        return min((p["seq"] for p in self.problems), default=None)

    def problem(self, seq: int, text: str) -> None:
        self.problems.append({"seq": seq, "problem": text})

    def body(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "intact": self.intact,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "firstBreak": self.first_break,
            "problems": self.problems,
        }


def _columns(record: AuditRecord) -> dict[str, Any]:
    return {c: getattr(record, c) for c in AuditRecord.__table__.columns.keys()}  # noqa: SIM118


async def _walk(
    session: AsyncSession, chain: AuditChain, report: ChainReport, signed: set[int]
) -> dict[int, str]:
    """Check the records of a chain in order; returns the hashes at the signed seqs."""
    expected, previous = 1, GENESIS
    hashes: dict[int, str] = {}
    async for record in AuditChainRepository(session, chain.tenant_id).records():
        report.records += 1
        if record.seq != expected:
            report.problem(expected, f"records {expected} to {record.seq - 1} are missing")
        elif record.prev_hash != previous:
            report.problem(record.seq, "does not link to the record before it")
        if record_hash(_columns(record)) != record.hash:
            report.problem(record.seq, "was altered: its hash does not match its fields")
        if record.seq in signed:
            hashes[record.seq] = record.hash
        expected, previous = record.seq + 1, record.hash
    if chain.seq != expected - 1:
        report.problem(expected, f"records {expected} to {chain.seq} are missing (chain head)")
    elif chain.head_hash != previous:
        report.problem(chain.seq, "the chain head does not match the last record")
    return hashes


def _check_point(point: AuditCheckpoint, keys: KeySet, hashes: dict[int, str]) -> str | None:
    try:
        payload = orjson.loads(jws.deserialize_compact(point.signature, keys).payload)
    except (JoseError, ValueError):
        return "checkpoint signature does not verify"
    if (payload.get("tenant"), payload.get("seq"), payload.get("hash")) != (
        point.tenant_id,
        point.seq,
        point.hash,
    ):
        return "checkpoint row differs from what was signed"
    if hashes.get(point.seq) != point.hash:
        return "the record at a signed checkpoint is not the one that was signed"
    return None


async def verify(
    session: AsyncSession, keys: KeySet, tenants: list[str] | None = None
) -> tuple[list[ChainReport], int]:
    """Reports of the chains (all, or of these tenants) and the number of unsealed entries."""
    reports = []
    for chain in await AuditRepository(session).chains(tenants):
        report = ChainReport(chain.tenant_id)
        points = await AuditChainRepository(session, chain.tenant_id).checkpoints()
        hashes = await _walk(session, chain, report, {p.seq for p in points})
        for point in points:
            report.checkpoints += 1
            problem = _check_point(point, keys, hashes)
            if problem:
                report.problem(point.seq, problem)
        reports.append(report)
    return reports, await AuditInboxRepository(session).size()
