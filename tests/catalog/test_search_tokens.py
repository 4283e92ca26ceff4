"""Japanese search tokens: two-character words match inside unspaced text (issue 16)."""

from catalog.search.tokens import Term, query_terms, tokens, weighted


def test_two_character_query_is_found_in_unspaced_japanese() -> None:
    indexed = set(tokens("横浜駅周辺の人流データ"))
    assert all(term.token in indexed for term in query_terms("人流"))


def test_query_absent_from_the_text_does_not_match() -> None:
    indexed = set(tokens("指定緊急避難場所一覧"))
    assert not all(term.token in indexed for term in query_terms("観光"))
    assert all(term.token in indexed for term in query_terms("避難"))


def test_width_and_case_are_normalised() -> None:
    assert tokens("ＣＳＶ") == tokens("csv") == ["csv"]


def test_lone_character_query_matches_by_prefix() -> None:
    assert query_terms("駅") == [Term("駅", prefix=True)]


def test_words_outside_japanese_are_whole_tokens() -> None:
    assert tokens("Open Data 2026") == ["open", "data", "2026"]


def test_title_weighs_more_than_notes() -> None:
    weights = weighted([("人流", 5.0), ("人流", 1.0), ("観光", 1.0)])
    assert weights["人流"] == 6.0
    assert weights["観光"] == 1.0
