"""Context source registrations and their subscriptions (broker/registrations); the outbox
learns which notifications are those of csource subscriptions (trigger_reason).

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
    op.create_table(
        "csource_subscriptions",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(512), nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("context", JSONDocument, nullable=False),
        sa.Column("context_documents", JSONDocument, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("times_sent", sa.Integer(), nullable=False),
        sa.Column("times_failed", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_notification", UTCDateTime(), nullable=True),
        sa.Column("last_success", UTCDateTime(), nullable=True),
        sa.Column("last_failure", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_csource_subscriptions_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_csource_subscriptions"),
    )
    with op.batch_alter_table("notification_outbox") as batch:
        batch.add_column(sa.Column("trigger_reason", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_column("trigger_reason")
    op.drop_table("csource_subscriptions")
    op.drop_table("csource_registrations")
