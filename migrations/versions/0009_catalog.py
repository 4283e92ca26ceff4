"""The open data catalog: organizations (one per tenant, existing tenants backfilled), groups,
datasets, resources, and the search and facet rows.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def _dataset_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["dataset_id"],
        ["catalog_datasets.id"],
        name=f"fk_{table}_dataset_id_catalog_datasets",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "catalog_organizations",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
        _tenant_fk("catalog_organizations"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_catalog_organizations"),
    )
    # every tenant that exists gets its organization (new tenants get theirs when registered)
    op.execute(
        "INSERT INTO catalog_organizations "
        "(tenant_id, title, description, image_url, created_at, modified_at) "
        "SELECT id, COALESCE(name_ja, name_en, id), '', '', created_at, created_at FROM tenants"
    )
    op.create_table(
        "catalog_groups",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(1000), nullable=False),
        sa.Column("theme_uri", sa.String(1000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _tenant_fk("catalog_groups"),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_groups"),
        sa.UniqueConstraint("name", name="uq_catalog_groups_name"),
    )
    op.create_index("ix_catalog_groups_tenant_id", "catalog_groups", ["tenant_id"])
    op.create_table(
        "catalog_datasets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("license_id", sa.String(100), nullable=True),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_email", sa.String(320), nullable=False),
        sa.Column("maintainer", sa.String(200), nullable=False),
        sa.Column("maintainer_email", sa.String(320), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("tags", JSONDocument, nullable=False),
        sa.Column("groups", JSONDocument, nullable=False),
        sa.Column("extras", JSONDocument, nullable=False),
        sa.Column("spatial", JSONDocument, nullable=True),
        sa.Column("spatial_text", sa.String(500), nullable=False),
        sa.Column("temporal_start", UTCDateTime(), nullable=True),
        sa.Column("temporal_end", UTCDateTime(), nullable=True),
        sa.Column("frequency", sa.String(32), nullable=False),
        sa.Column("issued", UTCDateTime(), nullable=True),
        sa.Column("modified", UTCDateTime(), nullable=True),
        sa.Column("creator", sa.String(200), nullable=False),
        sa.Column("metadata_created", UTCDateTime(), nullable=False),
        sa.Column("metadata_modified", UTCDateTime(), nullable=False),
        _tenant_fk("catalog_datasets"),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_datasets"),
        sa.UniqueConstraint("name", name="uq_catalog_datasets_name"),
    )
    op.create_index(
        "ix_catalog_datasets_tenant_id_metadata_modified",
        "catalog_datasets",
        ["tenant_id", "metadata_modified"],
    )
    op.create_index("ix_catalog_datasets_state_private", "catalog_datasets", ["state", "private"])
    op.create_table(
        "catalog_resources",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("format", sa.String(100), nullable=False),
        sa.Column("mimetype", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("query", JSONDocument, nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("extras", JSONDocument, nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("last_modified", UTCDateTime(), nullable=True),
        _tenant_fk("catalog_resources"),
        _dataset_fk("catalog_resources"),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_resources"),
    )
    op.create_index(
        "ix_catalog_resources_dataset_id_position", "catalog_resources", ["dataset_id", "position"]
    )
    op.create_table(
        "catalog_search_terms",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        _dataset_fk("catalog_search_terms"),
        sa.PrimaryKeyConstraint("token", "dataset_id", name="pk_catalog_search_terms"),
    )
    op.create_table(
        "catalog_facet_values",
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        _dataset_fk("catalog_facet_values"),
        sa.PrimaryKeyConstraint("dataset_id", "field", "value", name="pk_catalog_facet_values"),
    )
    op.create_index(
        "ix_catalog_facet_values_field_value", "catalog_facet_values", ["field", "value"]
    )


def downgrade() -> None:
    op.drop_index("ix_catalog_facet_values_field_value", table_name="catalog_facet_values")
    op.drop_table("catalog_facet_values")
    op.drop_table("catalog_search_terms")
    op.drop_index("ix_catalog_resources_dataset_id_position", table_name="catalog_resources")
    op.drop_table("catalog_resources")
    op.drop_index("ix_catalog_datasets_state_private", table_name="catalog_datasets")
    op.drop_index("ix_catalog_datasets_tenant_id_metadata_modified", table_name="catalog_datasets")
    op.drop_table("catalog_datasets")
    op.drop_index("ix_catalog_groups_tenant_id", table_name="catalog_groups")
    op.drop_table("catalog_groups")
    op.drop_table("catalog_organizations")
