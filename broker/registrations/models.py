"""Context source registrations (clause 5.2.9), one row each in their tenant."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
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
