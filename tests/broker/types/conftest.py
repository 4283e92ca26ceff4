"""Discovery runs over the query test entities (tests/broker/entities/dataset.py)."""

from tests.broker.entities.conftest import dataset

__all__ = ["dataset"]
