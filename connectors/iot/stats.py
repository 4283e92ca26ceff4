"""Ingestion counters of this process, in one small object that others read (the provisioning
API, and /metrics). Counts start at zero when the process starts."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import CounterMetricFamily, Metric

GroupKey = tuple[str, str]  # (tenant, apikey)
DeviceKey = tuple[str, str]  # (tenant, device_id)

GROUP_COUNTERS = ("received", "malformed", "unknownDevices", "failed", "acknowledged")
DEVICE_COUNTERS = ("received", "malformed", "failed")


@dataclass
class IngestionStats:
    """received: messages (MQTT) or requests (HTTP) that reached a known group; unknownApikeys:
    dropped because no group has the apikey; unknownDevices: dropped because the device is
    not provisioned and the group does not auto-provision; malformed: payloads that are not
    JSON measures, or measures that cannot be converted; failed: measures whose entity update
    was refused, or batches that did not commit; acknowledged: QoS 1 messages acknowledged
    after their batch committed."""

    totals: Counter[str] = field(default_factory=Counter)
    groups: dict[GroupKey, Counter[str]] = field(default_factory=dict)
    devices: dict[DeviceKey, Counter[str]] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.totals[what] += n

    def count_group(self, key: GroupKey, what: str, n: int = 1) -> None:
        self.totals[what] += n
        self.groups.setdefault(key, Counter())[what] += n

    def count_device(self, key: DeviceKey, what: str, n: int = 1) -> None:
        self.devices.setdefault(key, Counter())[what] += n

    def group(self, tenant: str, apikey: str) -> dict[str, int]:
        found = self.groups.get((tenant, apikey), Counter())
        return {name: found[name] for name in GROUP_COUNTERS}

    def device(self, tenant: str, device_id: str) -> dict[str, int]:
        found = self.devices.get((tenant, device_id), Counter())
        return {name: found[name] for name in DEVICE_COUNTERS}

    def read(self) -> dict[str, Any]:
        """Everything: totals, and per group and device counters keyed "tenant/id"."""
        return {
            "totals": dict(self.totals),
            "groups": {f"{t}/{k}": dict(c) for (t, k), c in self.groups.items()},
            "devices": {f"{t}/{d}": dict(c) for (t, d), c in self.devices.items()},
        }

    def metric_families(self) -> list[Metric]:
        """The totals for Prometheus: messages received, dropped (by reason), failed, acked."""
        received = CounterMetricFamily(
            "renkei_iot_messages_received", "Device messages (MQTT) and requests (HTTP) received"
        )
        received.add_metric([], self.totals["received"])
        dropped = CounterMetricFamily(
            "renkei_iot_messages_dropped", "Device messages dropped, by reason", labels=["reason"]
        )
        for reason in ("malformed", "unknownApikeys", "unknownDevices"):
            dropped.add_metric([reason], self.totals[reason])
        failed = CounterMetricFamily(
            "renkei_iot_messages_failed", "Measures refused or batches that did not commit"
        )
        failed.add_metric([], self.totals["failed"])
        acknowledged = CounterMetricFamily(
            "renkei_iot_messages_acknowledged", "QoS 1 messages acknowledged after their commit"
        )
        acknowledged.add_metric([], self.totals["acknowledged"])
        return [received, dropped, failed, acknowledged]
