"""What the distributed operations ask of the outbound side, and the rules of a hop.

broker may not import connectors (docs/architecture.md), so the HTTP calls to a context source
are behind `SourceCaller`, which `connectors/sources/` implements and registers at start; the
broker's services get it through `broker.registrations.dependencies.SourceCallerDep`.

Loops (ETSI GS CIM 009 V1.8, 6.3.18): every forwarded request carries a `Via` header (RFC 9110
7.6.3) to which each broker adds its own hop id; a broker that finds its id already in the Via
of a request answers from its own store only, so two brokers registered at each other stop.
Failures (6.3.17): a source that fails is named in an `NGSILD-Warning` header in the RFC 7234
warning format (`199 <agent> "<text>"`) and the request still succeeds with what answered.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from broker.registrations.sources import RegisteredSource

WARNING_HEADER = "NGSILD-Warning"
MISCELLANEOUS_WARNING = 199


def hop_id(source_id: str, alias: str = "renkei") -> str:
    """This deployment's Via pseudonym: stable across restarts and replicas (derived from the
    broker's source id), and a valid RFC 9110 token (a URN is not)."""
    digest = hashlib.sha256(source_id.encode()).hexdigest()[:16]
    return f"{alias}-{digest}"


def via_hops(via: str | None) -> list[str]:
    """The received-by member of each hop of a Via header (`1.1 a, 1.1 b (comment)`)."""
    if not via:
        return []
    hops = []
    for part in via.split(","):
        words = part.strip().split()
        if len(words) >= 2:
            hops.append(words[1])
    return hops


def has_looped(via: str | None, hop: str) -> bool:
    return hop in via_hops(via)


def forwarded_via(via: str | None, hop: str) -> str:
    """The Via a forwarded request carries: the hops it came through, then ours."""
    ours = f"1.1 {hop}"
    return f"{via}, {ours}" if via else ours


@dataclass(frozen=True)
class SourceRequest:
    """One call to a source: the NGSI-LD path and query (names as the client wrote them, with
    `link` the @context they are to be read with) and the Via it arrived with."""

    method: str
    path: str  # starts with /ngsi-ld/v1/
    params: tuple[tuple[str, str], ...] = ()
    link: str | None = None
    via: str | None = None
    body: Any = None


@dataclass(frozen=True)
class SourceAnswer:
    source: RegisteredSource
    ok: bool
    status: int | None = None
    body: Any = None
    count: int | None = None  # NGSILD-Results-Count, when the source sent it
    error: str | None = None  # why the source failed: for the warning header
    sent: bool = True  # False: skipped (open breaker, loop), not counted in the status

    def warning(self) -> str:
        text = (self.error or "failed").replace("\\", "\\\\").replace('"', '\\"')
        return f'{MISCELLANEOUS_WARNING} {self.source.registration_id} "{text}"'


class SourceCaller(Protocol):
    """Makes one call to a context source; never raises for a failure of the source (a refused
    target, a loop, a timeout, an open breaker, a non-2xx status): it answers `ok=False`."""

    async def call(self, source: RegisteredSource, request: SourceRequest) -> SourceAnswer: ...


async def fan_out(
    caller: SourceCaller, sources: Sequence[RegisteredSource], request: SourceRequest
) -> list[SourceAnswer]:
    """Calls every source at once; each call is bounded by its own timeout in the caller."""
    return list(await asyncio.gather(*(caller.call(s, request) for s in sources)))


def warnings_header(answers: Sequence[SourceAnswer]) -> str | None:
    failed = [a.warning() for a in answers if not a.ok]
    return ", ".join(failed) if failed else None
