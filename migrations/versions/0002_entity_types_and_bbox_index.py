"""Entity type index table and the bounding-box index, for queries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entity_types",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(2048), nullable=False),
        sa.Column("entity_id", sa.String(2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entity_id"],
            ["entities.tenant_id", "entities.id"],
            ondelete="CASCADE",
            name="fk_entity_types_entity",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "type", "entity_id", name="pk_entity_types"),
    )
    op.create_index("ix_entity_types_tenant_entity", "entity_types", ["tenant_id", "entity_id"])
    op.create_index(
        "ix_entities_tenant_bbox",
        "entities",
        ["tenant_id", "bbox_west", "bbox_south", "bbox_east", "bbox_north"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO entity_types (tenant_id, type, entity_id) "
            "SELECT tenant_id, jsonb_array_elements_text(types), id FROM entities"
        )
    else:
        op.execute(
            "INSERT INTO entity_types (tenant_id, type, entity_id) "
            "SELECT e.tenant_id, t.value, e.id FROM entities AS e, json_each(e.types) AS t"
        )


def downgrade() -> None:
    op.drop_index("ix_entities_tenant_bbox", table_name="entities")
    op.drop_index("ix_entity_types_tenant_entity", table_name="entity_types")
    op.drop_table("entity_types")
