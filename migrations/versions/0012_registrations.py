"""Context source registrations (broker/registrations).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "csource_registrations",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(512), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("information", JSONDocument, nullable=False),
        sa.Column("extra_names", JSONDocument, nullable=False),
        sa.Column("endpoint", sa.String(2048), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("operations", JSONDocument, nullable=False),
        sa.Column("sealed_info", sa.Text(), nullable=True),
        sa.Column("info_keys", JSONDocument, nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("times_sent", sa.Integer(), nullable=False),
        sa.Column("times_failed", sa.Integer(), nullable=False),
        sa.Column("last_success", UTCDateTime(), nullable=True),
        sa.Column("last_failure", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_csource_registrations_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_csource_registrations"),
    )
    op.create_index(
        "ix_csource_registrations_tenant_expires",
        "csource_registrations",
        ["tenant_id", "expires_at"],
    )


def downgrade() -> None:
    op.drop_table("csource_registrations")
