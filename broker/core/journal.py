"""The journal of one unit of work: which entities it read or wrote, and how it changed them.

Commit hooks read it (notifications to queue, the audit record to write), and a request's
journal stays on `request.state.journal` for the audit of requests that change nothing.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

_JOURNAL = "renkei.journal"
MAX_IDS = 1000  # entity ids kept per unit of work (a count is kept beyond that)


@dataclass
class Journal:
    entity_ids: list[str] = field(default_factory=list)
    entity_count: int = 0
    changes: list[Any] = field(default_factory=list)  # broker.entities.events.EntityChange

    def touched(self, ids: list[str]) -> None:
        self.entity_count += len(ids)
        room = MAX_IDS - len(self.entity_ids)
        if room > 0:
            self.entity_ids.extend(ids[:room])


def journal(session: AsyncSession) -> Journal:
    found = session.info.get(_JOURNAL)
    if found is None:
        found = session.info[_JOURNAL] = Journal()
    return found


def attach(session: AsyncSession, entry: Journal) -> None:
    """Make `entry` the session's journal (a request keeps a reference to it)."""
    session.info[_JOURNAL] = entry
