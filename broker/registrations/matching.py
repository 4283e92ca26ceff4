"""Which registrations serve a request, and which overlap (clause 4.3.6), as pure functions.

A registration serves a request when one of its information entries covers it: an entity
selector of a type asked for (any, when the request names none) whose id, or pattern, fits the
ids or the pattern asked for; and attribute names that include one asked for (an entry without
names holds every attribute). Patterns are compared only against concrete ids: two patterns may
always overlap, so they are taken to.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from broker.registrations.schemas import Information
from broker.registrations.sources import EntitySelector


@dataclass(frozen=True)
class Wanted:
    """What a request names, expanded: empty means "any"."""

    entity_ids: frozenset[str] = field(default_factory=frozenset)
    types: frozenset[str] = field(default_factory=frozenset)
    attrs: frozenset[str] = field(default_factory=frozenset)
    id_pattern: re.Pattern[str] | None = None


def _selector_serves(selector: EntitySelector, wanted: Wanted) -> bool:
    if wanted.types and selector.type not in wanted.types:
        return False
    if wanted.entity_ids:
        if selector.id is not None:
            return selector.id in wanted.entity_ids
        if selector.id_pattern is not None:
            pattern = re.compile(selector.id_pattern)
            return any(pattern.search(i) for i in wanted.entity_ids)
        return True
    if wanted.id_pattern is not None and selector.id is not None:
        return wanted.id_pattern.search(selector.id) is not None
    return True


def served_part(
    entry: Information, wanted: Wanted, visible: frozenset[str] | None
) -> Information | None:
    """The part of an entry that serves the request, within the entity types the caller may
    see (`visible`, None: every type); None if no part does."""
    if wanted.attrs and entry.attribute_names and not wanted.attrs & entry.attribute_names:
        return None
    if entry.entities:
        candidates: Iterable[EntitySelector] = entry.entities
    elif visible is not None:
        candidates = (EntitySelector(type=t) for t in sorted(visible))
    else:
        candidates = ()
    selectors = tuple(
        s
        for s in candidates
        if (visible is None or s.type in visible) and _selector_serves(s, wanted)
    )
    if (entry.entities or visible is not None) and not selectors:
        return None
    return Information(selectors, entry.property_names, entry.relationship_names)


def serving(
    information: Iterable[Information], wanted: Wanted, visible: frozenset[str] | None
) -> list[Information]:
    """The parts of a registration's entries that serve the request."""
    parts = (served_part(entry, wanted, visible) for entry in information)
    return [part for part in parts if part is not None]


def _covers(entry: Information, selector: EntitySelector, attribute: str) -> bool:
    """Whether an entry covers one attribute of the entity a selector with an id names."""
    assert selector.id is not None
    if entry.attribute_names and attribute not in entry.attribute_names:
        return False
    if not entry.entities:
        return True
    for other in entry.entities:
        if other.type != selector.type:
            continue
        if other.id is not None:
            if other.id == selector.id:
                return True
        elif other.id_pattern is None or re.search(other.id_pattern, selector.id):
            return True
    return False


def overlap(
    exclusive: Iterable[Information], other: Iterable[Information]
) -> tuple[str, str] | None:
    """An (entity id, attribute) of an exclusive registration that another covers, if any."""
    others = list(other)
    for entry in exclusive:
        for selector in entry.entities:
            for attribute in sorted(entry.attribute_names):
                if any(_covers(o, selector, attribute) for o in others):
                    return str(selector.id), attribute
    return None
