"""Temporal representations of an entity's history (clauses 4.5.8, 4.5.9, 4.5.19):
normalized (each attribute an array of instances with instanceId), simplified
(options=temporalValues: [[value, time], ...]) and aggregated ([[value, start, end], ...])."""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from broker.entities.render import Representation, format_datetime, render_attribute, simplified
from broker.jsonld.context import Context
from broker.temporal.models import DEFAULT_DATASET
from broker.temporal.repository import Bucket, InstanceRow
from broker.temporal.selection import Aggregation, TimeInterval

NORMALIZED = "normalized"
TEMPORAL_VALUES = "temporalValues"
AGGREGATED_VALUES = "aggregatedValues"

# Clause 4.5.9: the member of a simplified temporal attribute that holds its pairs.
_PAIRS_MEMBER = {
    "Property": "values",
    "GeoProperty": "values",
    "Relationship": "objects",
    "LanguageProperty": "languageMaps",
    "JsonProperty": "jsons",
    "VocabProperty": "vocabs",
    "ListProperty": "valueLists",
    "ListRelationship": "objectLists",
}


@dataclass(frozen=True, slots=True)
class TemporalView:
    """How to show a history: the representation, sysAttrs, and the time property."""

    interval: TimeInterval
    format: str = NORMALIZED
    sys_attrs: bool = False
    lang: str | None = None


def _skeleton(entity_id: str, types: list[str], context: Context) -> dict[str, Any]:
    names = [context.compact(t) for t in types]
    return {"id": entity_id, "type": names[0] if len(names) == 1 else names}


def _instance(row: InstanceRow, context: Context, view: TemporalView) -> Any:
    stored = {**row.document, "instanceId": row.instance_id}
    if view.sys_attrs:
        stored["createdAt"] = format_datetime(row.created_at)
        stored["modifiedAt"] = format_datetime(row.modified_at)
    if row.deleted_at is not None:
        stored["deletedAt"] = format_datetime(row.deleted_at)
    return render_attribute([stored], context, Representation(sys_attrs=view.sys_attrs))


def _by_attribute(rows: Iterable[Any]) -> Iterator[tuple[str, list[Any]]]:
    for attribute, items in groupby(rows, key=lambda r: r.attribute):
        yield attribute, list(items)


def render_history(
    entity_id: str,
    types: list[str],
    rows: list[InstanceRow],
    context: Context,
    view: TemporalView,
) -> dict[str, Any]:
    """One entity in the normalized or simplified temporal representation; `rows` are in
    attribute, dataset and time order."""
    out = _skeleton(entity_id, types, context)
    for attribute, items in _by_attribute(rows):
        if view.format == TEMPORAL_VALUES:
            series = [
                _pairs(list(group), context, view)
                for _, group in groupby(items, key=lambda r: r.dataset_id)
            ]
            out[context.compact(attribute)] = series[0] if len(series) == 1 else series
        else:
            out[context.compact(attribute)] = [_instance(r, context, view) for r in items]
    return out


def _pairs(rows: list[InstanceRow], context: Context, view: TemporalView) -> dict[str, Any]:
    attribute_type = rows[-1].document.get("type", "Property")
    out: dict[str, Any] = {"type": attribute_type}
    if rows[0].dataset_id != DEFAULT_DATASET:
        out["datasetId"] = rows[0].dataset_id
    out[_PAIRS_MEMBER.get(attribute_type, "values")] = [
        [
            simplified(r.document, context, view.lang),
            _time_text(r, view.interval.timeproperty),
        ]
        for r in rows
    ]
    return out


def _time_text(row: InstanceRow, timeproperty: str) -> str:
    """The pair's time: observedAt as the client wrote it (as the instance itself shows it),
    the times Renkei records in its own format."""
    given = row.document.get("observedAt")
    if timeproperty == "observedAt" and isinstance(given, str):
        return given
    return format_datetime(row.time(timeproperty))


def render_aggregated(
    entity_id: str,
    types: list[str],
    buckets: list[Bucket],
    context: Context,
    interval: TimeInterval,
    aggregation: Aggregation,
) -> dict[str, Any]:
    """Clause 4.5.19: per attribute (and dataset), each method's [[value, start, end], ...]."""
    out = _skeleton(entity_id, types, context)
    for attribute, items in _by_attribute(buckets):
        series = []
        for dataset_id, group in groupby(items, key=lambda b: b.dataset_id):
            entry: dict[str, Any] = {"type": "Property"}
            if dataset_id != DEFAULT_DATASET:
                entry["datasetId"] = dataset_id
            periods = list(group)
            for method in aggregation.methods:
                entry[method] = [
                    [_aggregate(b, method), *_period(b, interval, aggregation)] for b in periods
                ]
            series.append(entry)
        out[context.compact(attribute)] = series[0] if len(series) == 1 else series
    return out


def _period(bucket: Bucket, interval: TimeInterval, aggregation: Aggregation) -> list[str]:
    if aggregation.period is None or bucket.index is None:
        start = interval.start or bucket.first
        end = interval.end or bucket.last
    else:
        origin = interval.start or datetime(1970, 1, 1, tzinfo=bucket.first.tzinfo)
        start = origin + aggregation.period * bucket.index
        end = start + aggregation.period
        if interval.end is not None and end > interval.end:
            end = interval.end
    return [format_datetime(start), format_datetime(end)]


def _aggregate(bucket: Bucket, method: str) -> Any:
    if method == "totalCount":
        return bucket.count
    if method == "distinctCount":
        return bucket.distinct
    if method == "stddev":
        return _stddev(bucket)
    return {
        "sum": bucket.total,
        "avg": bucket.average,
        "min": bucket.low,
        "max": bucket.high,
        "sumsq": bucket.squares,
    }[method]


def _stddev(bucket: Bucket) -> float | None:
    """The sample standard deviation, from the count, sum and sum of squares SQL computed."""
    if bucket.total is None or bucket.squares is None:
        return None
    numeric = bucket.numbers
    if numeric < 2:
        return 0.0
    variance = (bucket.squares - bucket.total * bucket.total / numeric) / (numeric - 1)
    return math.sqrt(max(variance, 0.0))
