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

Modes (4.3.6.2): each side has a rank. An exclusive or redirect source holds its information
authoritatively, so its instances win over the local store's and an inclusive source's whatever
their times (`AUTHORITATIVE`); an auxiliary source is used only where no other side holds the
instance (`AUXILIARY`); the local store and inclusive sources compare by time (`INCLUSIVE`).
"""

from collections.abc import Iterable, Sequence
from typing import Any

Entity = dict[str, Any]

AUXILIARY, INCLUSIVE, AUTHORITATIVE = 0, 1, 2
_RANKS = {"auxiliary": AUXILIARY, "inclusive": INCLUSIVE, "exclusive": AUTHORITATIVE}
_RANKS["redirect"] = AUTHORITATIVE


def mode_rank(mode: str | None) -> int:
    """The rank of a side: None is the local store."""
    return INCLUSIVE if mode is None else _RANKS.get(mode, INCLUSIVE)


_NOT_ATTRIBUTES = {"id", "type", "@context", "createdAt", "modifiedAt", "deletedAt"}


def _instances(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _when(instance: Any) -> str:
    """The instance's time for the comparison; ISO 8601 UTC strings order as the times do."""
    if not isinstance(instance, dict):
        return ""
    return str(instance.get("observedAt") or instance.get("modifiedAt") or "")


def merge_attribute(values: Iterable[Any], ranks: Iterable[int] | None = None) -> Any:
    """`ranks`: each value's side rank (default: all INCLUSIVE)."""
    by_dataset: dict[Any, tuple[int, Any]] = {}
    rank_of = iter(ranks) if ranks is not None else None
    for value in values:
        rank = next(rank_of) if rank_of is not None else INCLUSIVE
        for instance in _instances(value):
            key = instance.get("datasetId") if isinstance(instance, dict) else None
            held = by_dataset.get(key)
            if held is None or (rank, _when(instance)) > (held[0], _when(held[1])):
                by_dataset[key] = (rank, instance)
    merged = [instance for _, instance in by_dataset.values()]
    return merged[0] if len(merged) == 1 else merged


def _types(entity: Entity) -> list[str]:
    raw = entity.get("type")
    return [] if raw is None else [raw] if isinstance(raw, str) else list(raw)


def merge_entity(versions: Sequence[Entity], ranks: Sequence[int] | None = None) -> Entity:
    """One entity from its versions (local first); the first version's id and key order.
    `ranks`: each version's side rank (see `mode_rank`)."""
    ranked = list(ranks) if ranks is not None else [INCLUSIVE] * len(versions)
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
        held = [i for i, v in enumerate(versions) if name in v]
        merged[name] = merge_attribute((versions[i][name] for i in held), (ranked[i] for i in held))
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


def merge_entities(
    answers: Sequence[Sequence[Entity]], ranks: Sequence[int] | None = None
) -> list[Entity]:
    """Every entity of the answers, merged per id, in id order; `ranks`: each answer's rank."""
    ranked = list(ranks) if ranks is not None else [INCLUSIVE] * len(answers)
    versions: dict[str, list[tuple[int, Entity]]] = {}
    for rank, answer in zip(ranked, answers, strict=True):
        for entity in answer:
            if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                versions.setdefault(entity["id"], []).append((rank, entity))
    return [
        merge_entity([e for _, e in versions[key]], [r for r, _ in versions[key]])
        for key in sorted(versions)
    ]


def merged_page(
    answers: Sequence[Sequence[Entity]],
    *,
    offset: int,
    limit: int,
    ranks: Sequence[int] | None = None,
) -> tuple[list[Entity], int]:
    """The page at offset/limit of the merged answers (each answer being its side's first
    offset+limit entities), and how many distinct entities the windows held."""
    merged = merge_entities(answers, ranks)
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
