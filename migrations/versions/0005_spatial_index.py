"""Indexes for selective queries: bounding boxes of `location` (GiST on PostgreSQL, R*Tree on
SQLite), and entity types on PostgreSQL (GIN).

The B-tree on (tenant, west, south, east, north) could narrow a box query by `west` alone, so a
small near-query walked half a tenant. PostgreSQL gets a GiST index on the built-in `box` type
(no PostGIS needed), and a GIN index on `types` so type selection is a containment test the
planner can combine with the other filters (a join on entity_types made it hash every entity of
the type before a 500 m geo-query could narrow anything). SQLite gets an R*Tree virtual table,
keyed through `entity_geo_keys` (an entity's implicit rowid may change on VACUUM, so it is not
used) and kept in step by triggers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_BOX = "box(point(bbox_west, bbox_south), point(bbox_east, bbox_north))"
_CHANGED = (
    "OLD.bbox_west IS NOT NEW.bbox_west OR OLD.bbox_south IS NOT NEW.bbox_south "
    "OR OLD.bbox_east IS NOT NEW.bbox_east OR OLD.bbox_north IS NOT NEW.bbox_north"
)
_FORGET_OLD = """
    DELETE FROM entity_bbox WHERE id IN (
        SELECT id FROM entity_geo_keys WHERE tenant_id = OLD.tenant_id AND entity_id = OLD.id);
    DELETE FROM entity_geo_keys WHERE tenant_id = OLD.tenant_id AND entity_id = OLD.id;"""
_ADD_NEW = """
    INSERT INTO entity_geo_keys (tenant_id, entity_id)
        SELECT NEW.tenant_id, NEW.id WHERE NEW.bbox_west IS NOT NULL;
    INSERT INTO entity_bbox (id, west, east, south, north)
        SELECT last_insert_rowid(), NEW.bbox_west, NEW.bbox_east, NEW.bbox_south, NEW.bbox_north
        WHERE NEW.bbox_west IS NOT NULL;"""
_SQLITE = [
    "CREATE TABLE entity_geo_keys (id INTEGER PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL, "
    "entity_id VARCHAR(2048) NOT NULL, UNIQUE (tenant_id, entity_id))",
    "CREATE VIRTUAL TABLE entity_bbox USING rtree(id, west, east, south, north)",
    f"CREATE TRIGGER entities_bbox_insert AFTER INSERT ON entities BEGIN {_ADD_NEW} END",
    f"CREATE TRIGGER entities_bbox_update AFTER UPDATE ON entities WHEN {_CHANGED} "
    f"BEGIN {_FORGET_OLD} {_ADD_NEW} END",
    f"CREATE TRIGGER entities_bbox_delete AFTER DELETE ON entities BEGIN {_FORGET_OLD} END",
    "INSERT INTO entity_geo_keys (tenant_id, entity_id) "
    "SELECT tenant_id, id FROM entities WHERE bbox_west IS NOT NULL",
    "INSERT INTO entity_bbox (id, west, east, south, north) SELECT k.id, e.bbox_west, "
    "e.bbox_east, e.bbox_south, e.bbox_north FROM entity_geo_keys AS k JOIN entities AS e "
    "ON e.tenant_id = k.tenant_id AND e.id = k.entity_id",
]


def upgrade() -> None:
    op.drop_index("ix_entities_tenant_bbox", table_name="entities")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_entities_bbox_gist ON entities USING gist ({_PG_BOX}) "
            "WHERE bbox_west IS NOT NULL"
        )
        op.execute(
            "CREATE INDEX ix_entities_types_gin ON entities USING gin (types jsonb_path_ops)"
        )
    else:
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_entities_types_gin")
        op.execute("DROP INDEX ix_entities_bbox_gist")
    else:
        for name in ("entities_bbox_delete", "entities_bbox_update", "entities_bbox_insert"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE entity_bbox")
        op.execute("DROP TABLE entity_geo_keys")
    op.create_index(
        "ix_entities_tenant_bbox",
        "entities",
        ["tenant_id", "bbox_west", "bbox_south", "bbox_east", "bbox_north"],
    )
