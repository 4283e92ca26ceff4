"""The guidebook's types and migration patterns, derived from a survey answer (docs/vision.md
writes the rules down; tests/catalog/vision/test_classification.py checks them on the
guidebook's own examples).

- Current type (ch. 7, before sharing): from the numbers of non-personal and personal bases and
  who provides the services.
- Target type (ch. 7, after sharing): the three questions — one or several bases, users within
  one authority or prefecture-wide, services by the authority only or public and private.
- Migration pattern (ch. 8.2): how the current type reaches the target, and its checklist.
"""

from dataclasses import dataclass

from broker.core.errors import BadRequestData
from catalog.vision.schemas import BaseEntry

_PRIVATE_SCHEMES = frozenset({"privateOnly", "municipalityAndPrivate", "operatingBody"})
_TARGETS = {
    ("single", "authorityOnly", "withinMunicipality"): "2.1",
    ("single", "authorityOnly", "prefectureWide"): "2.2",
    ("single", "publicPrivate", "withinMunicipality"): "2.3",
    ("single", "publicPrivate", "prefectureWide"): "2.4",
    ("multiple", "authorityOnly", "withinMunicipality"): "2.5",
    ("multiple", "authorityOnly", "prefectureWide"): "2.6",
    ("multiple", "publicPrivate", "withinMunicipality"): "2.7",
    ("multiple", "publicPrivate", "prefectureWide"): "2.8",
}
# Where each pattern may lead (ch. 8.2): A builds new (2.1, later 2.2/2.4); B widens one base;
# C integrates several; D joins the prefecture's base.
PATTERN_TARGETS = {
    "A": frozenset({"2.1", "2.2", "2.3", "2.4"}),
    "B": frozenset({"2.2", "2.4"}),
    "C": frozenset({"2.6", "2.8"}),
    "D": frozenset({"2.4", "2.8"}),
}

TASKS = {
    "costShareAgreement": "費用負担の合意",
    "commonTerms": "共通利用規約の整備",
    "servicePlanning": "サービス企画",
    "operatingBody": "共同運営体制の構築",
    "widerUsers": "利用者範囲の拡大",
    "joiningAuthorization": "参加団体への権限付与",
    "idMatching": "ID の名寄せ",
    "authLevelAlignment": "認証レベルの統一",
    "multiTenancy": "マルチテナント化",
    "dataSeparation": "データ分離",
    "assetMigration": "データ資産の移行",
    "personalIdMapping": "個人 ID の対応付け",
    "responsibilitySplit": "責任分界の明確化",
}
CHECKLISTS = {
    "A": ("servicePlanning", "operatingBody", "costShareAgreement", "commonTerms"),
    "B": ("widerUsers", "joiningAuthorization", "commonTerms", "costShareAgreement"),
    "C": (
        "idMatching",
        "authLevelAlignment",
        "multiTenancy",
        "dataSeparation",
        "costShareAgreement",
    ),
    "D": ("assetMigration", "personalIdMapping", "responsibilitySplit", "costShareAgreement"),
}


@dataclass(frozen=True, slots=True)
class Classification:
    current_type: str
    target_type: str
    pattern: str | None
    checklist: tuple[tuple[str, bool], ...]


def current_type(entry: BaseEntry) -> str:
    non_personal = entry.nonPersonalBases != "0"
    personal = entry.personalBases != "0"
    if not non_personal and not personal:
        return "1.1"
    if not personal:
        return "1.4"
    if not non_personal:
        return "1.5"
    return "1.3" if entry.serviceProvisionScheme in _PRIVATE_SCHEMES else "1.2"


def target_type(entry: BaseEntry) -> str:
    return _TARGETS[(entry.targetBaseCount, entry.targetProvider, entry.targetUserScope)]


def migration_pattern(current: str, target: str, policy: str) -> str | None:
    """None: the base stays within its authority and no sharing migration is planned."""
    if current == "1.1":
        return "A"
    if policy == "moveToPrefecture":
        return "D"
    if target in PATTERN_TARGETS["C"]:
        return "C"
    if target in PATTERN_TARGETS["B"]:
        return "B"
    return None


def classify(entry: BaseEntry) -> Classification:
    """The entry's types and pattern; 400 when the plan contradicts the guidebook's paths."""
    current = current_type(entry)
    target = target_type(entry)
    if current == "1.1" and entry.targetBaseCount == "multiple":
        raise BadRequestData(
            f"target type {target} integrates several existing bases; type 1.1 has none"
        )
    pattern = migration_pattern(current, target, entry.policy)
    if pattern is not None and target not in PATTERN_TARGETS[pattern]:
        allowed = ", ".join(sorted(PATTERN_TARGETS[pattern]))
        raise BadRequestData(f"pattern {pattern} leads to {allowed}, not to {target}")
    tasks = CHECKLISTS.get(pattern or "", ())
    unknown = sorted(set(entry.tasksDone) - set(tasks))
    if unknown:
        raise BadRequestData(f"tasksDone names tasks not on this entry's checklist: {unknown}")
    done = set(entry.tasksDone)
    return Classification(current, target, pattern, tuple((t, t in done) for t in tasks))
