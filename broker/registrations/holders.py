"""Which tenants hold context source registrations, from an in-process snapshot.

Most tenants register no source: for them a read needs no registration lookup at all (the two
statements matching_sources would send per request). Registrations written by this process
reload the snapshot after their commit; those written by other replicas are seen within the
snapshot's ttl (as tenants and clients are), after which they serve every replica.
"""

from broker.core.db import Database
from broker.core.snapshot import Snapshot
from broker.registrations.repository import REGISTRATIONS_TABLE, SharedRegistrations


class RegisteredTenants:
    def __init__(self, db: Database, *, ttl: float) -> None:
        self._db = db
        self._snapshot = Snapshot(self._load, ttl)
        db.on_changed(REGISTRATIONS_TABLE, self._snapshot.invalidate)

    async def _load(self) -> frozenset[str]:
        async with self._db.read_session() as session:
            return frozenset(await SharedRegistrations(session).holders())

    async def lookups(self, tenant: str) -> tuple[bool, bool]:
        """Whether `tenant`'s own registrations, and another tenant's (a shared tenant's, through
        a grant), may serve it: False means that lookup would find nothing."""
        holders = await self._snapshot.get()
        return tenant in holders, any(holder != tenant for holder in holders)
