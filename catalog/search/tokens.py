"""Tokens of Japanese-aware full-text search, the same on SQLite and PostgreSQL.

Japanese is written without spaces, and the trigram indexes of both stores (FTS5 `trigram`,
pg_trgm) need three characters, so two-character words such as 人流, 避難 or 観光 would never
match. Text is normalised (NFKC, lower case) and cut into runs: a run of kanji, kana and 々/ー
yields its overlapping character bigrams (plus its last character, so one-character queries
can match by prefix); any other run of letters and digits yields the word itself. A query is
cut the same way and every one of its tokens must occur.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
MAX_TOKEN = 64
# weights of where a token occurs
TITLE, TAG, RESOURCE, NOTES = 5.0, 4.0, 2.0, 1.0


def _runs(text: str) -> list[tuple[bool, str]]:
    normal = unicodedata.normalize("NFKC", text).lower()
    return [(bool(cjk), cjk or word) for cjk, word in _RUNS.findall(normal)]


def tokens(text: str) -> list[str]:
    """The index tokens of `text`, with repeats."""
    out: list[str] = []
    for cjk, run in _runs(text):
        if not cjk:
            out.append(run[:MAX_TOKEN])
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def weighted(fields: list[tuple[str, float]]) -> dict[str, float]:
    """Token -> weight over the fields of one dataset (field text, field weight)."""
    weights: defaultdict[str, float] = defaultdict(float)
    for text, weight in fields:
        for token in tokens(text):
            weights[token] += weight
    return dict(weights)


@dataclass(frozen=True, slots=True)
class Term:
    """One token a query needs; `prefix` for a lone CJK character (it may start a bigram)."""

    token: str
    prefix: bool = False


def query_terms(text: str) -> list[Term]:
    terms: dict[Term, None] = {}
    for cjk, run in _runs(text):
        if not cjk:
            terms[Term(run[:MAX_TOKEN])] = None
        elif len(run) == 1:
            terms[Term(run, prefix=True)] = None
        else:
            for i in range(len(run) - 1):
                terms[Term(run[i : i + 2])] = None
    return list(terms)
