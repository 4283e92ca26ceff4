"""IoT provisioning: service groups and devices (every index leads with tenant_id).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker.core.db import JSONDocument, UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _shared_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("service_path", sa.String(256), nullable=False),
        sa.Column("timestamp", sa.Boolean(), nullable=True),
        sa.Column("explicit_attrs", JSONDocument, nullable=True),
        sa.Column("attributes", JSONDocument, nullable=False),
        sa.Column("static_attributes", JSONDocument, nullable=False),
        sa.Column("commands", JSONDocument, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "iot_service_groups",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("apikey", sa.String(128), nullable=False),
        sa.Column("resource", sa.String(256), nullable=False),
        sa.Column("entity_type", sa.String(256), nullable=True),
        sa.Column("autoprovision", sa.Boolean(), nullable=False),
        *_shared_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_iot_service_groups_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "apikey", "resource", name="pk_iot_service_groups"),
    )
    op.create_table(
        "iot_devices",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(256), nullable=False),
        sa.Column("apikey", sa.String(128), nullable=True),
        sa.Column("entity_name", sa.String(2048), nullable=False),
        sa.Column("entity_type", sa.String(256), nullable=False),
        sa.Column("protocol", sa.String(64), nullable=True),
        sa.Column("transport", sa.String(16), nullable=True),
        sa.Column("autoprovisioned", sa.Boolean(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=True),
        *_shared_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_iot_devices_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "device_id", name="pk_iot_devices"),
    )
    op.create_index("ix_iot_devices_tenant_apikey", "iot_devices", ["tenant_id", "apikey"])


def downgrade() -> None:
    op.drop_index("ix_iot_devices_tenant_apikey", table_name="iot_devices")
    op.drop_table("iot_devices")
    op.drop_table("iot_service_groups")
