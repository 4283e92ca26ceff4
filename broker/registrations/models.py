"""Context source registrations (clause 5.2.9), one row each in their tenant."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime


class Registration(Base):
    __tablename__ = "csource_registrations"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(512), primary_key=True)
    # The registration as its client wrote it, without `information` (kept expanded below),
    # contextSourceInfo (sealed below) and the members the broker maintains.
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # information[] with every type and attribute name expanded to its IRI.
    information: Mapped[list[Any]] = mapped_column(JSONDocument)
    # The expanded names of the registration's own extra members (q, csf), by member.
    extra_names: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    endpoint: Mapped[str] = mapped_column(String(2048))
    mode: Mapped[str] = mapped_column(String(16))
    operations: Mapped[list[str]] = mapped_column(JSONDocument)  # groups expanded
    # contextSourceInfo as a Fernet token (broker.registrations.crypto); never clear text.
    sealed_info: Mapped[str | None] = mapped_column(Text, nullable=True)
    info_keys: Mapped[list[str]] = mapped_column(JSONDocument)  # its keys, shown redacted
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    times_sent: Mapped[int] = mapped_column(Integer, default=0)
    times_failed: Mapped[int] = mapped_column(Integer, default=0)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_failure: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_csource_registrations_tenant_expires", "tenant_id", "expires_at"),)


class CSourceSubscription(Base):
    """A context source registration subscription (clause 5.11): notified through the
    notification outbox when registrations it selects appear, change or vanish."""

    __tablename__ = "csource_subscriptions"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(512), primary_key=True)
    # The subscription as its client wrote it, status excluded.
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    context: Mapped[list[Any]] = mapped_column(JSONDocument)  # the client's @context, if any
    # The remote documents of `context` (url -> document): notifying never needs the network.
    context_documents: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    times_sent: Mapped[int] = mapped_column(Integer, default=0)
    times_failed: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_notification: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_failure: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
