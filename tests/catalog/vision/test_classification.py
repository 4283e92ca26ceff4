"""The guidebook's types and migration patterns (ch. 7, 8.2), on its own examples."""

import pytest

from broker.core.errors import BadRequestData
from catalog.vision.classification import CHECKLISTS, classify
from catalog.vision.schemas import BaseEntry
from tests.catalog.vision.helpers import answer


def entry(**overrides: object) -> BaseEntry:
    return BaseEntry.model_validate(answer(**overrides))


@pytest.mark.parametrize(
    ("non_personal", "personal", "services", "expected"),
    [
        ("0", "0", "none", "1.1"),  # no base
        ("1", "1", "municipalityOnly", "1.2"),  # one authority runs a full base
        ("1", "1", "municipalityAndPrivate", "1.3"),  # full base, public and private services
        ("2+", "1", "privateOnly", "1.3"),
        ("1", "0", "municipalityOnly", "1.4"),  # non-personal only
        ("0", "2+", "municipalityOnly", "1.5"),  # personal only
    ],
)
def test_current_type_follows_the_bases_and_providers(
    non_personal: str, personal: str, services: str, expected: str
) -> None:
    base = entry(
        nonPersonalBases=non_personal, personalBases=personal, serviceProvisionScheme=services
    )
    assert classify(base).current_type == expected


@pytest.mark.parametrize(
    ("bases", "provider", "scope", "expected"),
    [
        ("single", "authorityOnly", "withinMunicipality", "2.1"),
        ("single", "authorityOnly", "prefectureWide", "2.2"),
        ("single", "publicPrivate", "withinMunicipality", "2.3"),
        ("single", "publicPrivate", "prefectureWide", "2.4"),
        ("multiple", "authorityOnly", "withinMunicipality", "2.5"),
        ("multiple", "authorityOnly", "prefectureWide", "2.6"),
        ("multiple", "publicPrivate", "withinMunicipality", "2.7"),
        ("multiple", "publicPrivate", "prefectureWide", "2.8"),
    ],
)
def test_target_type_answers_the_three_questions(
    bases: str, provider: str, scope: str, expected: str
) -> None:
    base = entry(
        targetBaseCount=bases, targetProvider=provider, targetUserScope=scope, policy="keep"
    )
    assert classify(base).target_type == expected


def test_a_new_build_is_pattern_a_from_no_base_to_2_1_and_later_2_2_or_2_4() -> None:
    for scope, provider, target in [
        ("withinMunicipality", "authorityOnly", "2.1"),
        ("prefectureWide", "authorityOnly", "2.2"),
        ("prefectureWide", "publicPrivate", "2.4"),
    ]:
        none = entry(
            nonPersonalBases="0",
            personalBases="0",
            targetUserScope=scope,
            targetProvider=provider,
            policy="prefectureBuilds",
        )
        classified = classify(none)
        assert (classified.current_type, classified.target_type) == ("1.1", target)
        assert classified.pattern == "A"
        assert [t for t, _ in classified.checklist] == list(CHECKLISTS["A"])


def test_one_municipalitys_base_rolled_out_wide_is_pattern_b_to_2_2_or_2_4() -> None:
    """The ideal path: 2.1/2.3 -> 2.2 -> 2.4, by widening one base."""
    for provider, target in [("authorityOnly", "2.2"), ("publicPrivate", "2.4")]:
        classified = classify(entry(targetProvider=provider, policy="shareExisting"))
        assert (classified.target_type, classified.pattern) == (target, "B")
    tasks = [t for t, _ in classify(entry()).checklist]
    assert {"widerUsers", "joiningAuthorization", "commonTerms"} <= set(tasks)


def test_integrating_several_bases_is_pattern_c_to_2_6_or_2_8() -> None:
    """The realistic path: 2.5/2.7 -> 2.6/2.8, by ID matching and aligned authentication."""
    for provider, target in [("authorityOnly", "2.6"), ("publicPrivate", "2.8")]:
        several = entry(nonPersonalBases="2+", targetBaseCount="multiple", targetProvider=provider)
        classified = classify(several)
        assert (classified.target_type, classified.pattern) == (target, "C")
        tasks = {t for t, _ in classified.checklist}
        assert {"idMatching", "authLevelAlignment", "multiTenancy", "dataSeparation"} <= tasks


def test_joining_the_prefectures_base_is_pattern_d_to_2_4_or_2_8() -> None:
    for bases, target in [("single", "2.4"), ("multiple", "2.8")]:
        moving = entry(targetBaseCount=bases, policy="moveToPrefecture")
        classified = classify(moving)
        assert (classified.target_type, classified.pattern) == (target, "D")
        tasks = {t for t, _ in classified.checklist}
        assert {"assetMigration", "personalIdMapping", "responsibilitySplit"} <= tasks


def test_a_base_kept_within_its_authority_has_no_migration_pattern() -> None:
    for bases, target in [("single", "2.3"), ("multiple", "2.7")]:
        kept = entry(targetBaseCount=bases, targetUserScope="withinMunicipality", policy="keep")
        classified = classify(kept)
        assert (classified.target_type, classified.pattern, classified.checklist) == (
            target,
            None,
            (),
        )


def test_plans_off_the_guidebooks_paths_are_refused() -> None:
    with pytest.raises(BadRequestData, match=r"type 1\.1 has none"):
        classify(entry(nonPersonalBases="0", personalBases="0", targetBaseCount="multiple"))
    with pytest.raises(BadRequestData, match=r"pattern D leads to 2\.4, 2\.8"):
        classify(entry(policy="moveToPrefecture", targetProvider="authorityOnly"))


def test_the_checklist_records_which_tasks_are_done() -> None:
    classified = classify(entry(tasksDone=["commonTerms"]))
    assert dict(classified.checklist) == {
        "widerUsers": False,
        "joiningAuthorization": False,
        "commonTerms": True,
        "costShareAgreement": False,
    }
