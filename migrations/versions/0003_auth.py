"""Tenant registration details, OAuth2 clients, signing keys, revoked tokens, sharing grants.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("code", sa.String(6), nullable=True))
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="municipality")
        )
        batch.add_column(sa.Column("name_ja", sa.String(200), nullable=True))
        batch.add_column(sa.Column("name_en", sa.String(200), nullable=True))
        batch.add_column(sa.Column("contact", sa.String(320), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch.create_unique_constraint("uq_tenants_code", ["code"])
    op.create_table(
        "oauth_clients",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("scopes", JSONDocument, nullable=False),
        sa.Column("tenants", JSONDocument, nullable=False),
        sa.Column("entity_types", JSONDocument, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("secret_rotated_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_clients"),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_jwk", JSONDocument, nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kid", name="pk_signing_keys"),
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_revoked_tokens"),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    op.create_table(
        "sharing_grants",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("grantee_tenant", sa.String(64), nullable=True),
        sa.Column("grantee_client", sa.String(64), nullable=True),
        sa.Column("entity_types", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_sharing_grants_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sharing_grants"),
    )
    op.create_index("ix_sharing_grants_tenant", "sharing_grants", ["tenant_id", "revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_sharing_grants_tenant", table_name="sharing_grants")
    op.drop_table("sharing_grants")
    op.drop_index("ix_revoked_tokens_expires_at", table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
    op.drop_table("signing_keys")
    op.drop_table("oauth_clients")
    with op.batch_alter_table("tenants") as batch:
        batch.drop_constraint("uq_tenants_code", type_="unique")
        for column in ("updated_at", "active", "contact", "name_en", "name_ja", "kind", "code"):
            batch.drop_column(column)
