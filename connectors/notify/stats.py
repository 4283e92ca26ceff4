"""Counters of the notifier since the process started (exported as metrics by the deployment)."""

from dataclasses import dataclass


@dataclass
class NotifierStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0  # attempts that failed (each retry counts)
    retried: int = 0  # failed attempts rescheduled
    dropped: int = 0  # notifications given up after RENKEI_NOTIFY_MAX_ATTEMPTS
    queued_periodic: int = 0
