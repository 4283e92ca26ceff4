"""The Alembic tree builds exactly the schema the SQLAlchemy models declare, on both stores.

A table or column added to a model without its migration (or the reverse) fails here, not on
the first request of a deployment. Objects that migrations create in raw SQL, which the models
cannot declare, are named below.
"""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from migrations.metadata import all_tables

# SQLite's R*Tree virtual table of entity bounding boxes and its shadow tables; the GiST and
# GIN expression indexes of PostgreSQL.
RAW_SQL_OBJECTS = {
    "entity_bbox",
    "entity_bbox_node",
    "entity_bbox_parent",
    "entity_bbox_rowid",
    "entity_geo_keys",
    "ix_entities_bbox_gist",
    "ix_entities_types_gin",
}


def _differences(connection: Connection) -> list[Any]:
    return compare_metadata(MigrationContext.configure(connection), all_tables())


def _name(difference: Any) -> str:
    return str(getattr(difference[1], "name", difference))


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    unexpected = [d for d in differences if _name(d) not in RAW_SQL_OBJECTS]
    assert unexpected == []
