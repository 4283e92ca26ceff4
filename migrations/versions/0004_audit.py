"""Audit log: inbox, hash-chained records, chain heads, signed checkpoints, usage counters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_inbox",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entry", JSONDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_inbox"),
    )
    op.create_table(
        "audit_records",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("client_id", sa.String(200), nullable=True),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("requested_tenant", sa.String(64), nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("route", sa.String(300), nullable=False),
        sa.Column("path", sa.String(2048), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("entity_ids", JSONDocument, nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("latency_us", sa.BigInteger(), nullable=False),
        sa.Column("bytes_in", sa.BigInteger(), nullable=False),
        sa.Column("bytes_out", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name="pk_audit_records"),
    )
    op.create_index("ix_audit_records_tenant_time", "audit_records", ["tenant_id", "recorded_at"])
    op.create_index("ix_audit_records_time", "audit_records", ["recorded_at"])
    op.create_table(
        "audit_chains",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_audit_chains"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name="pk_audit_checkpoints"),
    )
    op.create_table(
        "usage_counters",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "client_id", "day", "metric", name="pk_usage_counters"
        ),
    )


def downgrade() -> None:
    op.drop_table("usage_counters")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chains")
    op.drop_index("ix_audit_records_time", table_name="audit_records")
    op.drop_index("ix_audit_records_tenant_time", table_name="audit_records")
    op.drop_table("audit_records")
    op.drop_table("audit_inbox")
