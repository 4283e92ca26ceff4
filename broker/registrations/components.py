"""What the registration services need besides the session and the caller's access."""

from dataclasses import dataclass

from broker.core.netguard import NetGuard
from broker.jsonld.context import ContextResolver


@dataclass(frozen=True)
class Registrations:
    """The outbound guard (endpoints are checked like notification targets) and the @context
    resolver (csource subscriptions' notifications are compacted with their context)."""

    guard: NetGuard
    contexts: ContextResolver
    failure_threshold: int = 3  # consecutive failed notifications shown as status failed
