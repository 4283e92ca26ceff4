"""Counters of the notifier since the process started, exported at /metrics."""

from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, Metric

_HELP = {
    "claimed": "Outbox rows claimed for delivery",
    "sent": "Notifications delivered",
    "failed": "Notification attempts that failed (each retry counts)",
    "retried": "Failed notifications rescheduled with backoff",
    "dropped": "Notifications given up after RENKEI_NOTIFY_MAX_ATTEMPTS",
    "queued_periodic": "Periodic (timeInterval) notifications queued",
}


@dataclass
class NotifierStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0  # attempts that failed (each retry counts)
    retried: int = 0  # failed attempts rescheduled
    dropped: int = 0  # notifications given up after RENKEI_NOTIFY_MAX_ATTEMPTS
    queued_periodic: int = 0

    def metric_families(self) -> list[Metric]:
        """One counter `renkei_notifications_<name>` per field."""
        families: list[Metric] = []
        for name, help_text in _HELP.items():
            family = CounterMetricFamily(f"renkei_notifications_{name}", help_text)
            family.add_metric([], getattr(self, name))
            families.append(family)
        return families
