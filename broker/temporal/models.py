"""The attribute-instance table: the temporal history, one append-only row per instance."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime

# INTEGER PRIMARY KEY is SQLite's rowid (autoincrement); BIGINT on PostgreSQL.
InstanceRowId = BigInteger().with_variant(Integer(), "sqlite")
DEFAULT_DATASET = "@none"  # dataset_id of an attribute's default instance


class AttributeInstance(Base):
    """One instance of an attribute as it was at one moment (clause 4.5.8).

    Written by the commit hook of broker.temporal.recording in the transaction of the change;
    never updated by it. `document` is the instance in the entities' stored form (core members
    by name, sub-attributes by IRI) without createdAt/modifiedAt, which are the columns here.
    """

    __tablename__ = "attribute_instances"

    id: Mapped[int] = mapped_column(InstanceRowId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(String(2048))
    attribute: Mapped[str] = mapped_column(String(2048))  # expanded IRI
    dataset_id: Mapped[str] = mapped_column(String(2048))  # DEFAULT_DATASET for the default
    instance_id: Mapped[str] = mapped_column(String(80))  # urn:ngsi-ld:<uuid>
    # Expanded type IRIs of the entity when the instance was recorded.
    entity_types: Mapped[list[str]] = mapped_column(JSONDocument)
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # recorded
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The value when it is a number (not a boolean): what sum, avg, min, max ... aggregate.
    number: Mapped[float | None] = mapped_column(Float, nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)

    # No index on instance_id: the instance operations name the entity and the attribute too,
    # so the (tenant, entity, attribute, ...) indexes find an instance; one index fewer to write.
    __table_args__ = (
        Index(
            "ix_attribute_instances_observed",
            "tenant_id",
            "entity_id",
            "attribute",
            "observed_at",
        ),
        Index(
            "ix_attribute_instances_created", "tenant_id", "entity_id", "attribute", "created_at"
        ),
    )
