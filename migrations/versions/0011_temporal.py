"""The temporal history: append-only attribute instances (broker/temporal).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attribute_instances",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(2048), nullable=False),
        sa.Column("attribute", sa.String(2048), nullable=False),
        sa.Column("dataset_id", sa.String(2048), nullable=False),
        sa.Column("instance_id", sa.String(80), nullable=False),
        sa.Column("entity_types", JSONDocument, nullable=False),
        sa.Column("observed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("document", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_attribute_instances_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attribute_instances"),
    )
    op.create_index(
        "ix_attribute_instances_observed",
        "attribute_instances",
        ["tenant_id", "entity_id", "attribute", "observed_at"],
    )
    op.create_index(
        "ix_attribute_instances_created",
        "attribute_instances",
        ["tenant_id", "entity_id", "attribute", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("attribute_instances")
