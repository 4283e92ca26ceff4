"""The stored row: expanded attribute document and the bounding box of `location`."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, select

from broker.entities.models import Entity
from tests.broker.entities.helpers import ENTITIES, SENSOR_ID, create, headers, people_flow


async def stored(app: FastAPI, tenant: str = "default") -> Entity:
    async with app.state.db.read_session() as session:
        row = await session.scalar(
            select(Entity).where(Entity.tenant_id == tenant, Entity.id == SENSOR_ID)
        )
    assert row is not None
    return row


async def test_row_holds_expanded_names_and_location_bbox(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    area = {
        "type": "Polygon",
        "coordinates": [[[139.5, 35.3], [139.7, 35.3], [139.7, 35.5], [139.5, 35.3]]],
    }
    await create(client, people_flow(location={"type": "GeoProperty", "value": area}))
    row = await stored(app)
    assert row.types == ["https://uri.etsi.org/ngsi-ld/default-context/CrowdFlowObserved"]
    assert "https://uri.etsi.org/ngsi-ld/default-context/peopleCount" in row.attrs
    assert "https://uri.etsi.org/ngsi-ld/location" in row.attrs
    assert (row.bbox_west, row.bbox_south, row.bbox_east, row.bbox_north) == (
        139.5,
        35.3,
        139.7,
        35.5,
    )


async def test_bbox_follows_location_changes(client: httpx.AsyncClient, app: FastAPI) -> None:
    await create(client)
    await client.patch(
        f"{ENTITIES}/{SENSOR_ID}/attrs/location",
        json={"value": {"type": "Point", "coordinates": [135.5, 34.7]}},
        headers=headers(),
    )
    row = await stored(app)
    assert (row.bbox_west, row.bbox_south) == (135.5, 34.7)
    await client.delete(f"{ENTITIES}/{SENSOR_ID}/attrs/location")
    row = await stored(app)
    assert row.bbox_west is None and row.bbox_north is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_single_type_page_on_sqlite_walks_the_type_index_in_id_order(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """SQLite plans without statistics: a `type=T` page must neither build nor sort the list of
    all T ids (the cost of every such query grew with the tenant's entity count)."""
    await create(client)
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "entity_types" in statement:
            statements.append((statement, parameters))

    engine = app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        response = await client.get(
            ENTITIES,
            params={"type": "CrowdFlowObserved", "q": "peopleCount>100", "limit": "5"},
            headers=headers(),
        )
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200 and len(response.json()) == 1
    assert statements
    async with app.state.db.read_session() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        cursor = await raw.driver_connection.execute(  # type: ignore[union-attr]
            "EXPLAIN QUERY PLAN " + statements[-1][0], statements[-1][1]
        )
        plan = " | ".join(str(row[-1]) for row in await cursor.fetchall())
    assert "SEARCH t" in plan or "entity_types" in plan, plan
    assert "TEMP B-TREE" not in plan and "LIST SUBQUERY" not in plan, plan
