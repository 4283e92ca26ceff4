"""The stored row: expanded attribute document and the bounding box of `location`."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select

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
