"""A stable MQTT client id for each Renkei process on a host.

Two connections with one client id take the session from each other in turn: the broker
disconnects the older one, and the QoS 1 messages in flight are delivered again (a measure
stored twice). Each process — each of `renkei serve --workers N`'s, or a second `renkei serve`
on the same host — needs its own id, and the same one after a restart, so that its persistent
session (the measures not yet acknowledged) is picked up again. uvicorn gives its workers no
index, so a process takes the first slot whose lock file it can lock: slot 0 is the configured
id itself, slot k is `<id>-<k>`. The kernel releases the lock when the process ends, however it
ends, and the process that replaces it takes the same slot.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import IO

log = logging.getLogger("renkei.mqtt")

SLOTS = 64  # processes with one configured id on one host


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


def claim_slot(client_id: str) -> WorkerSlot:
    """The configured id if no other process on this host holds it, else `<id>-<k>` of the
    first free slot k."""
    key = hashlib.sha256(client_id.encode()).hexdigest()[:16]
    try:
        directory = _lock_dir()
    except OSError as exc:
        log.warning(
            "no lock directory for MQTT client id slots (%s); connecting as %s", exc, client_id
        )
        return WorkerSlot(client_id, None)
    for slot in range(SLOTS):
        held = _try(directory / f"{key}-{slot}.lock")
        if held is not None:
            suffix = f"-{slot}" if slot else ""
            return WorkerSlot(client_id[: 64 - len(suffix)] + suffix, held)
    suffix = f"-p{os.getpid()}"
    log.warning(
        "all %d MQTT client id slots of %s are held on this host; connecting as %s%s (its "
        "session is not resumed after a restart)",
        SLOTS,
        client_id,
        client_id,
        suffix,
    )
    return WorkerSlot(client_id[: 64 - len(suffix)] + suffix, None)
