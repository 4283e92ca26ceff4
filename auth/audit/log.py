"""The audit log of one process: where entries come in, and the worker that stores them.

- A write's entry is added to the inbox by a commit hook, in the transaction of the write.
- Every other entry (reads, refused and failed requests) is buffered in memory and written to
  the inbox in batches every RENKEI_AUDIT_FLUSH_INTERVAL seconds, or sooner when the buffer
  holds RENKEI_AUDIT_BATCH_SIZE entries; the buffer is flushed on shutdown.
- The worker then seals inbox entries into the hash chains, counts usage, and signs checkpoints
  every RENKEI_AUDIT_CHECKPOINT_INTERVAL seconds.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.entry import AuditEntry
from auth.audit.middleware import IN_TRANSACTION
from auth.audit.repository import AuditInboxRepository
from auth.audit.requests import entry_for
from auth.audit.seal import checkpoint, seal_batch
from auth.audit.usage import ENTITIES_STORED, Usage
from auth.keys.service import KeyRing
from broker.core.db import REQUEST_INFO, Database

log = logging.getLogger("renkei.audit")
_ENTRY = "renkei.audit_entry"
MAX_BUFFERED = 200_000  # beyond this (store down for long) the oldest buffered entries are lost
EntityCounts = Callable[[AsyncSession], Awaitable[dict[str, int]]]


def attach_entry(session: AsyncSession, entry: AuditEntry) -> None:
    """Have this unit of work commit `entry` with its changes (e.g. an ingestion batch)."""
    session.info[_ENTRY] = entry


def attached_entry(session: AsyncSession) -> AuditEntry | None:
    return session.info.get(_ENTRY)


class AuditLog:
    def __init__(
        self,
        db: Database,
        keyring: KeyRing,
        usage: Usage,
        *,
        flush_interval: float,
        batch_size: int,
        checkpoint_interval: float,
        entity_counts: EntityCounts | None = None,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.usage = usage
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.checkpoint_interval = checkpoint_interval
        self.entity_counts = entity_counts
        self._buffer: deque[AuditEntry] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_checkpoint = time.monotonic()
        self._last_snapshot = -float("inf")
        self.lost = 0

    # -- entries in ----------------------------------------------------------------------

    def record(self, entry: AuditEntry) -> None:
        """Buffer an entry (not written with any transaction)."""
        if len(self._buffer) >= MAX_BUFFERED:
            self._buffer.popleft()
            self.lost += 1
            log.error("audit buffer full: an entry was lost (%d so far)", self.lost)
        self._buffer.append(entry)
        if len(self._buffer) >= self.batch_size:
            self._wake.set()

    async def commit_hook(self, session: AsyncSession) -> None:
        """Commit hook: the unit of work's entry goes to the inbox with its changes. A request's
        entry is made from its response, which RenkeiRoute kept before the commit."""
        entry = attached_entry(session)
        request = session.info.get(REQUEST_INFO)
        if entry is None and request is not None:
            response = getattr(request.state, "response", None)
            if response is None:
                return
            body = getattr(response, "body", b"")
            entry = entry_for(request.scope, status=response.status_code, bytes_out=len(body))
            setattr(request.state, IN_TRANSACTION, True)
        if entry is not None:
            await AuditInboxRepository(session).add([entry.to_json()])

    # -- the worker ----------------------------------------------------------------------

    async def flush(self) -> int:
        """Write buffered entries to the inbox; on failure they stay buffered."""
        taken = [self._buffer.popleft() for _ in range(len(self._buffer))]
        if not taken:
            return 0
        try:
            async with self.db.transaction() as session:
                await AuditInboxRepository(session).add([e.to_json() for e in taken])
        except BaseException:
            self._buffer.extendleft(reversed(taken))
            raise
        return len(taken)

    async def seal(self) -> int:
        """Chain everything in the inbox; returns how many entries were sealed."""
        total = 0
        while True:
            async with self.db.transaction() as session:
                sealed = await seal_batch(session, self.usage, limit=self.batch_size)
            total += sealed
            if sealed < self.batch_size:
                return total

    async def checkpoint(self) -> int:
        key = await self.keyring.signing_key()
        async with self.db.transaction() as session:
            return await checkpoint(session, key)

    async def snapshot_usage(self) -> None:
        if self.entity_counts is None:
            return
        async with self.db.transaction() as session:
            counts = await self.entity_counts(session)
            await self.usage.snapshot(
                session, metric=ENTITIES_STORED, values=counts, at=datetime.now(UTC)
            )

    async def run_once(self) -> None:
        await self.flush()
        await self.seal()
        now = time.monotonic()
        if now - self._last_checkpoint >= self.checkpoint_interval:
            await self.checkpoint()
            self._last_checkpoint = now
        if now - self._last_snapshot >= 3600:
            await self.snapshot_usage()
            self._last_snapshot = now

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval)
            self._wake.clear()
            try:
                await self.run_once()
            except (OSError, DBAPIError) as exc:
                log.error("audit worker: store unavailable, will retry: %s", exc)
            except Exception:
                log.exception("audit worker failed; will retry")

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="renkei-audit")

    async def aclose(self) -> None:
        """Stop the worker, then flush and seal what is left (graceful shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await self.flush()
            await self.seal()
        except (OSError, DBAPIError) as exc:
            log.error(
                "audit: %d entries could not be stored at shutdown: %s", len(self._buffer), exc
            )
