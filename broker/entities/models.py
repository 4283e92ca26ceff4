"""The entity table: one row per entity, attributes as one JSON(B) document."""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime


class Entity(Base):
    __tablename__ = "entities"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(2048), primary_key=True)
    # Expanded type IRIs.
    types: Mapped[list[str]] = mapped_column(JSONDocument)
    scopes: Mapped[list[str] | None] = mapped_column(JSONDocument, nullable=True)
    # {attribute IRI: [instance, ...]}; see broker.entities.attributes for the instance form.
    attrs: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Bounding box of every `location` GeoProperty instance, for indexed geo pre-filtering.
    bbox_west: Mapped[float | None] = mapped_column(Float, nullable=True)
    bbox_south: Mapped[float | None] = mapped_column(Float, nullable=True)
    bbox_east: Mapped[float | None] = mapped_column(Float, nullable=True)
    bbox_north: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (
        Index("ix_entities_tenant_modified", "tenant_id", "modified_at"),
        # The bounding box's spatial index is dialect-specific DDL (migration 0005): GiST on
        # PostgreSQL, an R*Tree (entity_bbox, entity_geo_keys and triggers) on SQLite.
    )


class EntityType(Base):
    """One row per (entity, type): type selection uses this index instead of scanning JSON."""

    __tablename__ = "entity_types"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(2048), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(2048), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "entity_id"],
            ["entities.tenant_id", "entities.id"],
            ondelete="CASCADE",
            name="fk_entity_types_entity",
        ),
        Index("ix_entity_types_tenant_entity", "tenant_id", "entity_id"),
    )
