"""Fixtures shared by the entity tests."""

import httpx
import pytest

from tests.broker.entities.dataset import DATASET
from tests.broker.entities.helpers import headers


@pytest.fixture
async def dataset(client: httpx.AsyncClient) -> None:
    """The query test entities, created in the default tenant with one batch."""
    response = await client.post(
        "/ngsi-ld/v1/entityOperations/create", json=DATASET, headers=headers()
    )
    assert response.status_code == 201, response.text
