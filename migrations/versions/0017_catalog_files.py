"""The bytes of uploaded catalog file resources (catalog/files).

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_resource_files",
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["catalog_resources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id"),
    )
    op.create_index("ix_catalog_resource_files_tenant_id", "catalog_resource_files", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_catalog_resource_files_tenant_id", table_name="catalog_resource_files")
    op.drop_table("catalog_resource_files")
