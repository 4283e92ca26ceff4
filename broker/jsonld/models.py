"""The @contexts this broker hosts (clause 5.13), one row each, in the tenant that added it."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime


class HostedContext(Base):
    __tablename__ = "jsonld_contexts"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the localId
    kind: Mapped[str] = mapped_column(String(32))  # Hosted (ImplicitlyCreated: not yet made)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # {"@context": ...}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
