"""Subscriptions and the notification outbox (rows committed with the change that caused them)."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime

# INTEGER PRIMARY KEY is SQLite's rowid (autoincrement); BIGINT on PostgreSQL.
OutboxId = BigInteger().with_variant(Integer(), "sqlite")


class Subscription(Base):
    __tablename__ = "subscriptions"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(512), primary_key=True)
    # The subscription as the client wrote it (terms compacted with `context`), status excluded.
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    context: Mapped[list[Any]] = mapped_column(JSONDocument)  # the client's @context, if any
    # The remote documents of `context` (url -> document): matching never needs the network.
    context_documents: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    # Expanded entity types its client may see (None: all): it is notified of those only.
    entity_types: Mapped[list[str] | None] = mapped_column(JSONDocument, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    time_interval: Mapped[float | None] = mapped_column(Float, nullable=True)
    throttling: Mapped[float | None] = mapped_column(Float, nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    times_sent: Mapped[int] = mapped_column(Integer, default=0)
    times_failed: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_notification: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_failure: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_subscriptions_next_run_at", "next_run_at"),)


class OutboxRow(Base):
    """One notification to send. Claimed by a worker until `claimed_until`; deleted once sent."""

    __tablename__ = "notification_outbox"

    id: Mapped[int] = mapped_column(OutboxId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str] = mapped_column(String(512))
    endpoint: Mapped[str] = mapped_column(String(512))  # scheme://host:port, the isolation key
    data: Mapped[list[Any]] = mapped_column(JSONDocument)  # the rendered entities
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set on the notifications of context source registration subscriptions (clause 5.11):
    # newlyMatching, updated or noLongerMatching; `subscription_id` then names one of those.
    trigger_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (
        Index("ix_notification_outbox_due_at", "due_at"),
        Index("ix_notification_outbox_tenant_subscription", "tenant_id", "subscription_id"),
    )
