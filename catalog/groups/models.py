"""A group (theme) of the catalog: datasets of any organization may belong to it."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, UTCDateTime


class Group(Base):
    """Groups are shared by the whole catalog; `tenant_id` is the tenant that manages one."""

    __tablename__ = "catalog_groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    # a DCAT theme IRI (e.g. an EU data theme) this group stands for, if any
    theme_uri: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
