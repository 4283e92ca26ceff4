"""Usage counters per tenant, client and local day: what cost sharing is computed from.

Calls and bytes are counted when audit records are sealed (exactly once, in the same
transaction); notifications by the notifier; entities stored as a daily snapshot.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.entry import READ, AuditEntry
from auth.audit.repository import UsageRepository

READS, WRITES, BYTES_IN, BYTES_OUT = "reads", "writes", "bytes_in", "bytes_out"
NOTIFICATIONS_SENT = "notifications_sent"
ENTITIES_STORED = "entities_stored"
METRICS = (READS, WRITES, BYTES_IN, BYTES_OUT, NOTIFICATIONS_SENT, ENTITIES_STORED)
Key = tuple[str, str, date, str]


class Usage:
    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def of_entries(self, entries: Iterable[AuditEntry]) -> Counter[Key]:
        counts: Counter[Key] = Counter()
        for e in entries:
            base = (e.tenant, e.client_id or "", self.day(e.recorded_at))
            counts[(*base, READS if e.kind == READ else WRITES)] += 1
            counts[(*base, BYTES_IN)] += e.bytes_in
            counts[(*base, BYTES_OUT)] += e.bytes_out
        return counts

    async def add(self, session: AsyncSession, counts: Counter[Key]) -> None:
        await UsageRepository(session).add_usage(_rows(counts))

    async def count(
        self,
        session: AsyncSession,
        *,
        tenant: str,
        client: str | None,
        metric: str,
        amount: int,
        at: datetime,
    ) -> None:
        """Add `amount` to a counter, in the caller's transaction."""
        await self.add(session, Counter({(tenant, client or "", self.day(at), metric): amount}))

    async def count_each(
        self,
        session: AsyncSession,
        *,
        metric: str,
        events: Iterable[tuple[str, str | None, datetime]],
    ) -> None:
        """Add one per (tenant, client, moment) event, in the caller's transaction."""
        counts = Counter((t, c or "", self.day(at), metric) for t, c, at in events)
        if counts:
            await self.add(session, counts)

    async def snapshot(
        self, session: AsyncSession, *, metric: str, values: dict[str, int], at: datetime
    ) -> None:
        """Set a per-tenant gauge (entities stored) for the day of `at`."""
        day = self.day(at)
        counts = Counter({(tenant, "", day, metric): n for tenant, n in values.items()})
        await UsageRepository(session).add_usage(_rows(counts), replace=True)


def _rows(counts: Counter[Key]) -> list[dict[str, object]]:
    return [
        {"tenant_id": t, "client_id": c, "day": d, "metric": m, "value": v}
        for (t, c, d, m), v in counts.items()
    ]
