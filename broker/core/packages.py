"""How a package plugs into the app: its routers and its start/stop, one registration each.

`create_app` starts broker's core first (`broker.setup.core_components`, which yields `Core`),
then every registered package in order, and stops them in reverse; a new package adds one
`Package` to the list and nothing else to the factory.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI

from broker.core.db import Database
from broker.core.netguard import NetGuard
from broker.core.settings import BrokerSettings
from broker.core.tenancy import TenantRegistry

if TYPE_CHECKING:
    from broker.jsonld.context import ContextResolver
    from broker.subscriptions.compiled import CompiledCache


@dataclass(frozen=True)
class Core:
    """What broker's core has started, for the packages started after it."""

    settings: BrokerSettings
    db: Database
    tenants: TenantRegistry
    guard: NetGuard  # outbound calls (notifications, remote @contexts, context sources)
    contexts: "ContextResolver"
    matchers: "CompiledCache"  # subscriptions compiled once, for matching and delivery


Start = Callable[[FastAPI, Core], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class Package:
    name: str
    include_routers: Callable[[FastAPI], None] | None = None
    start: Start | None = None  # entered after the packages before it, exited before them
