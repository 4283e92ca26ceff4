"""Data sharing grants: tenant A lets tenant B (or one client) read chosen entity types."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime


class Grant(Base):
    __tablename__ = "sharing_grants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"))
    grantee_tenant: Mapped[str | None] = mapped_column(String(64), nullable=True)
    grantee_client: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Expanded entity type IRIs the grantee may read.
    entity_types: Mapped[list[str]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_sharing_grants_tenant", "tenant_id", "revoked_at"),)
