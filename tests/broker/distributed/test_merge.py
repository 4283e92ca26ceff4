"""The merge rule of distributed answers (4.3.6) and the hop rules of Via, as plain functions."""

from broker.registrations.forwarding import forwarded_via, has_looped, hop_id, via_hops
from broker.registrations.merge import merge_entity, merged_count, merged_page, mode_rank

ID = "urn:ngsi-ld:CrowdFlowObserved:1"


def reading(value: int, **members: str) -> dict[str, object]:
    return {"type": "Property", "value": value, **members}


def test_the_most_recent_observed_at_wins_per_attribute() -> None:
    local = {
        "id": ID,
        "type": "T",
        "a": reading(1, observedAt="2026-01-01T10:00:00Z"),
        "b": reading(1),
    }
    remote = {
        "id": ID,
        "type": "T",
        "a": reading(2, observedAt="2026-01-01T09:00:00Z"),
        "c": reading(3),
    }

    merged = merge_entity([local, remote])

    assert merged["a"]["value"] == 1
    assert merged["b"]["value"] == 1 and merged["c"]["value"] == 3


def test_modified_at_decides_when_there_is_no_observed_at() -> None:
    local = {"id": ID, "type": "T", "a": reading(1, modifiedAt="2026-01-01T08:00:00Z")}
    remote = {"id": ID, "type": "T", "a": reading(2, modifiedAt="2026-01-01T09:00:00Z")}

    assert merge_entity([local, remote])["a"]["value"] == 2


def test_instances_with_other_dataset_ids_are_all_kept() -> None:
    local = {"id": ID, "type": "T", "a": [reading(1), reading(2, datasetId="urn:d:1")]}
    remote = {"id": ID, "type": "T", "a": reading(3, datasetId="urn:d:2")}

    values = sorted(i["value"] for i in merge_entity([local, remote])["a"])

    assert values == [1, 2, 3]


def test_types_are_unioned() -> None:
    merged = merge_entity([{"id": ID, "type": "A"}, {"id": ID, "type": ["B", "A"]}])

    assert merged["type"] == ["A", "B"]


def test_a_page_of_the_merge_is_the_page_of_one_store_holding_everything() -> None:
    local = [{"id": f"urn:x:{n}", "type": "T"} for n in (1, 3, 5)]
    remote = [{"id": f"urn:x:{n}", "type": "T"} for n in (2, 3, 4)]

    page, held = merged_page([local, remote], offset=1, limit=3)

    assert [e["id"] for e in page] == ["urn:x:2", "urn:x:3", "urn:x:4"]
    assert held == 5
    assert merged_count([3, 3], [local, remote]) == 5


def test_a_hop_already_in_via_is_a_loop() -> None:
    ours = hop_id("urn:ngsi-ld:ContextSource:a")
    via = forwarded_via(forwarded_via(None, "renkei-other"), ours)

    assert via_hops(via) == ["renkei-other", ours]
    assert has_looped(via, ours)
    assert not has_looped(via, hop_id("urn:ngsi-ld:ContextSource:b"))


def test_an_exclusive_or_redirect_source_wins_over_a_more_recent_local_instance() -> None:
    local = {"id": ID, "type": "T", "a": reading(1, observedAt="2026-01-01T10:00:00Z")}
    remote = {"id": ID, "type": "T", "a": reading(2, observedAt="2026-01-01T09:00:00Z")}

    for mode in ("exclusive", "redirect"):
        ranks = [mode_rank(None), mode_rank(mode)]
        assert merge_entity([local, remote], ranks)["a"]["value"] == 2


def test_an_auxiliary_source_only_fills_what_no_other_side_holds() -> None:
    local = {"id": ID, "type": "T", "a": reading(1, observedAt="2026-01-01T08:00:00Z")}
    remote = {
        "id": ID,
        "type": "T",
        "a": reading(2, observedAt="2026-01-01T09:00:00Z"),
        "b": reading(3),
    }

    merged = merge_entity([local, remote], [mode_rank(None), mode_rank("auxiliary")])

    assert merged["a"]["value"] == 1 and merged["b"]["value"] == 3


def test_ranks_follow_each_answer_in_a_merged_page() -> None:
    local = [{"id": ID, "type": "T", "a": reading(1, observedAt="2026-01-01T10:00:00Z")}]
    remote = [{"id": ID, "type": "T", "a": reading(2, observedAt="2026-01-01T09:00:00Z")}]

    page, _ = merged_page(
        [local, remote], offset=0, limit=5, ranks=[mode_rank(None), mode_rank("auxiliary")]
    )
    assert page[0]["a"]["value"] == 1
    page, _ = merged_page(
        [local, remote], offset=0, limit=5, ranks=[mode_rank(None), mode_rank("exclusive")]
    )
    assert page[0]["a"]["value"] == 2
