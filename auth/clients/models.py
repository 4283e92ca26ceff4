"""OAuth2 clients of the built-in authorization server."""

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime


class Client(Base):
    __tablename__ = "oauth_clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # "hmac-sha256$<salt hex>$<digest hex>"; secrets are random 256-bit strings (see service).
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSONDocument)
    tenants: Mapped[list[str]] = mapped_column(JSONDocument)
    # Expanded entity type IRIs the client may see; NULL = every type.
    entity_types: Mapped[list[str] | None] = mapped_column(JSONDocument, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
