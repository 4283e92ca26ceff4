"""A stable MQTT client id for each of `renkei serve --workers N`'s processes.

Two connections with one client id take the session from each other in turn: the broker
disconnects the older one, and the QoS 1 messages in flight are delivered again (a measure
stored twice). Each worker needs its own id, and the same one after a restart, so that its
persistent session (the measures not yet acknowledged) is picked up again. uvicorn gives its
workers no index, so a worker takes the first of N slots whose lock file it can lock; the
kernel releases the lock when the process ends, however it ends, and the worker that
replaces it takes the same slot.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import IO

log = logging.getLogger("renkei.mqtt")

WAIT_SECONDS = 10.0  # a replaced worker's slot is free once the old process has exited


class WorkerSlot:
    """The slot this process holds (its lock file stays open until `release`)."""

    def __init__(self, client_id: str, held: IO[bytes] | None) -> None:
        self.client_id = client_id
        self._held = held

    def release(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None


def _lock_dir() -> Path:
    directory = Path(tempfile.gettempdir()) / "renkei-mqtt-slots"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def _try(path: Path) -> IO[bytes] | None:
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def claim_slot(client_id: str, workers: int, *, wait: float = WAIT_SECONDS) -> WorkerSlot:
    """`client_id` itself for one worker; else `<client_id>-<slot>` of the first free slot."""
    if workers <= 1:
        return WorkerSlot(client_id, None)
    key = hashlib.sha256(client_id.encode()).hexdigest()[:16]
    deadline = time.monotonic() + wait
    while True:
        for slot in range(workers):
            held = _try(_lock_dir() / f"{key}-{slot}.lock")
            if held is not None:
                suffix = f"-{slot}"
                return WorkerSlot(client_id[: 64 - len(suffix)] + suffix, held)
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    suffix = f"-p{os.getpid()}"
    log.warning(
        "all %d MQTT worker slots of %s are held; connecting as %s%s (its session is not "
        "resumed after a restart)",
        workers,
        client_id,
        client_id,
        suffix,
    )
    return WorkerSlot(client_id[: 64 - len(suffix)] + suffix, None)
