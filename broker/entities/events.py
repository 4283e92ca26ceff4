"""Entity changes, recorded in the unit of work's journal for commit hooks (subscriptions)."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from broker.core.journal import journal
from broker.entities.repository import EntityRecord


@dataclass(frozen=True, slots=True)
class EntityChange:
    """One entity before and after a change: `before` None = created, `after` None = deleted."""

    tenant: str
    before: EntityRecord | None
    after: EntityRecord | None

    @property
    def entity_id(self) -> str:
        record = self.after or self.before
        assert record is not None
        return record.id


def record(
    session: AsyncSession, tenant: str, before: EntityRecord | None, after: EntityRecord | None
) -> None:
    entry = journal(session)
    entry.changes.append(EntityChange(tenant, before, after))
    entry.touched([(after or before).id])  # type: ignore[union-attr]


def read(session: AsyncSession, records: list[EntityRecord]) -> None:
    journal(session).touched([r.id for r in records])
