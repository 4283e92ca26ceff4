"""The @contexts the broker hosts (clause 5.13), per tenant.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jsonld_contexts",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_jsonld_contexts_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_jsonld_contexts"),
    )


def downgrade() -> None:
    op.drop_table("jsonld_contexts")
