"""Datasets, their resources (distributions), and the rows search and facets read.

A resource is one of three kinds (`Resource.kind`):
- ``file``: a file stored by Renkei (uploaded; `size` and `hash` known),
- ``url``: a link to a file or page elsewhere,
- ``live``: a saved broker query (`Resource.query`: type, q, attrs, geo..., tenant) whose
  download streams the current entities (catalog's live distributions).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from broker.core.db import Base, JSONDocument, UTCDateTime

RESOURCE_KINDS = ("file", "url", "live")
STATES = ("draft", "active", "deleted")


class Dataset(Base):
    __tablename__ = "catalog_datasets"
    __table_args__ = (
        Index("ix_catalog_datasets_tenant_id_metadata_modified", "tenant_id", "metadata_modified"),
        Index("ix_catalog_datasets_state_private", "state", "private"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id", ondelete="CASCADE"))
    # CKAN's name: the URL slug, unique in the whole catalog
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    license_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    url: Mapped[str] = mapped_column(String(1000), default="")
    version: Mapped[str] = mapped_column(String(100), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    author_email: Mapped[str] = mapped_column(String(320), default="")
    # the contact point (dcat:contactPoint)
    maintainer: Mapped[str] = mapped_column(String(200), default="")
    maintainer_email: Mapped[str] = mapped_column(String(320), default="")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="active")
    tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    groups: Mapped[list[str]] = mapped_column(JSONDocument, default=list)  # group names
    extras: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    # dct:spatial: a GeoJSON geometry, or None; spatial_text: a place name or IRI
    spatial: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    spatial_text: Mapped[str] = mapped_column(String(500), default="")
    temporal_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    temporal_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # dct:accrualPeriodicity, a code of the EU frequency vocabulary (DAILY, MONTHLY, ...)
    frequency: Mapped[str] = mapped_column(String(32), default="")
    issued: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    modified: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    creator: Mapped[str] = mapped_column(String(200), default="")
    metadata_created: Mapped[datetime] = mapped_column(UTCDateTime())
    metadata_modified: Mapped[datetime] = mapped_column(UTCDateTime())

    resources: Mapped[list["Resource"]] = relationship(
        back_populates="dataset",
        order_by="Resource.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class Resource(Base):
    __tablename__ = "catalog_resources"
    __table_args__ = (Index("ix_catalog_resources_dataset_id_position", "dataset_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id", ondelete="CASCADE"))
    dataset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("catalog_datasets.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8), default="url")
    name: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(100), default="")
    mimetype: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    # kind "live": the saved broker query (see catalog.datasets.schemas.LiveQuery)
    query: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    hash: Mapped[str] = mapped_column(String(200), default="")
    extras: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    dataset: Mapped[Dataset] = relationship(back_populates="resources")


class SearchTerm(Base):
    """The inverted index of full-text search: one row per (token, dataset), weight = how
    often and where (title, tags, resource names, notes) the token occurs."""

    __tablename__ = "catalog_search_terms"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("catalog_datasets.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[str] = mapped_column(String(64))
    weight: Mapped[float] = mapped_column(Float)


class FacetValue(Base):
    """One (field, value) of a dataset for facets and fq: organization, tags, groups,
    res_format, license_id."""

    __tablename__ = "catalog_facet_values"
    __table_args__ = (Index("ix_catalog_facet_values_field_value", "field", "value"),)

    dataset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("catalog_datasets.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
