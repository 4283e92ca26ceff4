"""Every package's tables in one MetaData: the Alembic environment, the schema drift test and
the tests' store reset all read this list, so a new package's models are named once."""

import importlib

from sqlalchemy import MetaData

from broker.core.db import Base

MODEL_MODULES = (
    "broker.core.models",
    "broker.entities.models",
    "broker.subscriptions.models",
    "broker.jsonld.models",
    "broker.temporal.models",
    "broker.registrations.models",
    "auth.models",
    "catalog.models",
    "connectors.iot.models",
)


def all_tables() -> MetaData:
    """The declarative metadata with every model module imported."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
