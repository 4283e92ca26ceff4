"""Audit tables: the inbox (outbox pattern), the hash-chained records, chain heads, signed
checkpoints, and usage counters for cost sharing."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime

# An autoincrementing 64-bit key on PostgreSQL; SQLite autoincrements only INTEGER keys.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class AuditInbox(Base):
    """Entries written with the work they record, waiting to be chained by the sealer."""

    __tablename__ = "audit_inbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class AuditRecord(Base):
    """One recorded call, linked to the previous record of its chain (one chain per tenant)."""

    __tablename__ = "audit_records"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    requested_tenant: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(2048))
    status: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    entity_ids: Mapped[list[str]] = mapped_column(JSONDocument)
    entity_count: Mapped[int] = mapped_column(Integer)
    latency_us: Mapped[int] = mapped_column(BigInteger)
    bytes_in: Mapped[int] = mapped_column(BigInteger)
    bytes_out: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_records_tenant_time", "tenant_id", "recorded_at"),
        Index("ix_audit_records_time", "recorded_at"),
    )


class AuditChain(Base):
    """The head of a tenant's chain: the last sequence number and hash."""

    __tablename__ = "audit_chains"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A chain head signed with the server's key (JWS), so a rewritten chain is detected."""

    __tablename__ = "audit_checkpoints"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signature: Mapped[str] = mapped_column(Text)


class UsageCounter(Base):
    """Per tenant, client and (local) day: calls, bytes, notifications, entities stored."""

    __tablename__ = "usage_counters"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
