"""Consolidation candidates among one survey year's entries, each with its reason:

- the same domain served by bases of different municipalities (sameDomain);
- the same service run on bases of different municipalities (duplicateFunction);
- bases whose cost per connected service is at least twice the median of the entries that
  report a cost (highCostPerService).
"""

from collections import defaultdict
from statistics import median

from catalog.vision.schemas import BaseOut, CandidateOut

HIGH_COST_FACTOR = 2


def _across_municipalities(
    entries: list[BaseOut], values: str, reason: str, what: str
) -> list[CandidateOut]:
    holders: dict[str, list[BaseOut]] = defaultdict(list)
    for entry in entries:
        for value in sorted(set(getattr(entry, values))):
            holders[value].append(entry)
    candidates = []
    for value, bases in sorted(holders.items()):
        municipalities = sorted({b.municipality for b in bases})
        if len(municipalities) > 1:
            detail = f"{what}「{value}」を {len(municipalities)} 団体が別々の基盤で運用"
            candidates.append(
                CandidateOut(reason=reason, detail=detail, bases=[b.id for b in bases])
            )
    return candidates


def _costly(entries: list[BaseOut]) -> list[CandidateOut]:
    costed = [e for e in entries if e.annualCostYen > 0]
    if len(costed) < 3:
        return []
    typical = median(e.costPerServiceYen for e in costed)
    if typical <= 0:
        return []
    return [
        CandidateOut(
            reason="highCostPerService",
            detail=(
                f"接続サービスあたり年間 {e.costPerServiceYen:,} 円"
                f" (中央値 {int(typical):,} 円の {e.costPerServiceYen / typical:.1f} 倍)"
            ),
            bases=[e.id],
        )
        for e in sorted(costed, key=lambda e: (-e.costPerServiceYen, e.id))
        if e.costPerServiceYen >= HIGH_COST_FACTOR * typical
    ]


def candidates(entries: list[BaseOut]) -> list[CandidateOut]:
    return [
        *_across_municipalities(entries, "domains", "sameDomain", "分野"),
        *_across_municipalities(entries, "services", "duplicateFunction", "サービス"),
        *_costly(entries),
    ]
