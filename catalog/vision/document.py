"""The vision document, generated from one survey year's entries: the current state, each
municipality's policy and target, the plan's progress and the consolidation candidates, in
HTML and Markdown from the same data (templates shipped in the package); its annexes are the
CSV and JSON exports.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from catalog.vision import vocabulary
from catalog.vision.schemas import BaseOut, CandidateOut

FORMATS = {"html": "document.html.j2", "markdown": "document.md.j2"}
_environment = Environment(
    loader=PackageLoader("catalog.vision", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _markdown_cell(value: Any) -> str:
    """A Markdown table cell: a `|` or a line break in the data would break the row."""
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


_environment.filters["cell"] = _markdown_cell


@dataclass(frozen=True, slots=True)
class Municipality:
    name: str
    bases: list[BaseOut]


def _tally(entries: list[BaseOut], field: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[str(getattr(entry, field))] += 1
    return dict(sorted(counts.items()))


def render(
    entries: list[BaseOut],
    candidates: list[CandidateOut],
    *,
    survey_year: int,
    format: str,
    export_url: str,
) -> str:
    by_municipality: dict[str, list[BaseOut]] = defaultdict(list)
    for entry in entries:
        by_municipality[entry.municipality].append(entry)
    template = _environment.get_template(FORMATS[format])
    return template.render(
        year=survey_year,
        entries=entries,
        municipalities=[Municipality(n, b) for n, b in sorted(by_municipality.items())],
        current=_tally(entries, "currentType"),
        target=_tally(entries, "targetType"),
        candidates=candidates,
        labels=vocabulary,
        export_url=export_url,
    )
