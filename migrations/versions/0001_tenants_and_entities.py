"""Tenants and entities.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tenants = op.create_table(
        "tenants",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
    )
    op.create_table(
        "entities",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(2048), nullable=False),
        sa.Column("types", JSONDocument, nullable=False),
        sa.Column("scopes", JSONDocument, nullable=True),
        sa.Column("attrs", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
        sa.Column("bbox_west", sa.Float(), nullable=True),
        sa.Column("bbox_south", sa.Float(), nullable=True),
        sa.Column("bbox_east", sa.Float(), nullable=True),
        sa.Column("bbox_north", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_entities_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_entities"),
    )
    op.create_index(
        "ix_entities_tenant_modified", "entities", ["tenant_id", "modified_at"], unique=False
    )
    op.bulk_insert(tenants, [{"id": "default", "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_index("ix_entities_tenant_modified", table_name="entities")
    op.drop_table("entities")
    op.drop_table("tenants")
