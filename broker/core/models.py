"""Tables shared by every domain: the tenants."""

from datetime import datetime

from sqlalchemy import Boolean, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, UTCDateTime


class Tenant(Base):
    """A municipality, the prefecture, or the prefecture's shared tenant; `id` is its name."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 全国地方公共団体コード: six digits, the last a check digit.
    code: Mapped[str | None] = mapped_column(String(6), unique=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="municipality")
    name_ja: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(320), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # requests/s the tenant may make on one replica; None: RENKEI_RATE_LIMIT_TENANT
    rate_limit: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
