"""The bytes of an uploaded file resource. They live in the database, beside the resource:
every replica serves them without a shared volume, a backup of the database holds them, and
they go when the resource does (bounded by RENKEI_CATALOG_UPLOAD_MAX_BYTES)."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, UTCDateTime


class ResourceFile(Base):
    __tablename__ = "catalog_resource_files"

    resource_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("catalog_resources.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
