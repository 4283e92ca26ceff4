"""Merge of the local answer and the sources' answers (ETSI GS CIM 009 V1.8, 4.3.6.x).

Entities are merged per id: types are unioned; per attribute, instances are kept apart by
datasetId (no datasetId is the default instance) and, of the instances with the same datasetId,
the most recent wins: observedAt if both have one, else modifiedAt; on a tie the one seen first
(the local store is passed first) stays. The documents are normalized NGSI-LD entities compacted
with the same @context (the request's: it is sent to every source as the Link header), so the
same attribute has the same key everywhere.

Paging: every answer is in id order (Renkei's and the standard's stable order), and each side
is asked for its first offset+limit entities, so a merge in id order of those windows yields
exactly the page a single store holding everything would give.
"""

from collections.abc import Iterable, Sequence
from typing import Any

Entity = dict[str, Any]

_NOT_ATTRIBUTES = {"id", "type", "@context", "createdAt", "modifiedAt", "deletedAt"}


def _instances(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _when(instance: Any) -> str:
    """The instance's time for the comparison; ISO 8601 UTC strings order as the times do."""
    if not isinstance(instance, dict):
        return ""
    return str(instance.get("observedAt") or instance.get("modifiedAt") or "")


def merge_attribute(values: Iterable[Any]) -> Any:
    by_dataset: dict[Any, Any] = {}
    for value in values:
        for instance in _instances(value):
            key = instance.get("datasetId") if isinstance(instance, dict) else None
            if key not in by_dataset or _when(instance) > _when(by_dataset[key]):
                by_dataset[key] = instance
    merged = list(by_dataset.values())
    return merged[0] if len(merged) == 1 else merged


def _types(entity: Entity) -> list[str]:
    raw = entity.get("type")
    return [] if raw is None else [raw] if isinstance(raw, str) else list(raw)


def merge_entity(versions: Sequence[Entity]) -> Entity:
    """One entity from its versions (local first); the first version's id and key order."""
    merged: Entity = {"id": versions[0]["id"]}
    types: list[str] = []
    for version in versions:
        types += [t for t in _types(version) if t not in types]
    if types:
        merged["type"] = types[0] if len(types) == 1 else types
    names: list[str] = []
    for version in versions:
        names += [k for k in version if k not in _NOT_ATTRIBUTES and k not in names]
    for name in names:
        merged[name] = merge_attribute(v[name] for v in versions if name in v)
    _merge_system_times(merged, versions)
    return merged


def _merge_system_times(merged: Entity, versions: Sequence[Entity]) -> None:
    created = [str(v["createdAt"]) for v in versions if v.get("createdAt")]
    modified = [str(v["modifiedAt"]) for v in versions if v.get("modifiedAt")]
    if created:
        merged["createdAt"] = min(created)
    if modified:
        merged["modifiedAt"] = max(modified)
    contexts = [v["@context"] for v in versions if "@context" in v]
    if contexts:
        merged["@context"] = contexts[0]


def merge_entities(answers: Sequence[Sequence[Entity]]) -> list[Entity]:
    """Every entity of the answers, merged per id, in id order."""
    versions: dict[str, list[Entity]] = {}
    for answer in answers:
        for entity in answer:
            if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                versions.setdefault(entity["id"], []).append(entity)
    return [merge_entity(versions[key]) for key in sorted(versions)]


def merged_page(
    answers: Sequence[Sequence[Entity]], *, offset: int, limit: int
) -> tuple[list[Entity], int]:
    """The page at offset/limit of the merged answers (each answer being its side's first
    offset+limit entities), and how many distinct entities the windows held."""
    merged = merge_entities(answers)
    return merged[offset : offset + limit], len(merged)


def merged_count(counts: Sequence[int], answers: Sequence[Sequence[Entity]]) -> int:
    """The total over all sides: each side's count, less the entities seen on more than one
    side within the fetched windows (exact when the windows hold every shared entity)."""
    seen: dict[str, int] = {}
    for answer in answers:
        for entity in answer:
            if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                seen[entity["id"]] = seen.get(entity["id"], 0) + 1
    return sum(counts) - sum(n - 1 for n in seen.values())
