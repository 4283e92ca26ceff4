"""What a q path names, resolved once for both evaluators (SQL in sql.py, in memory in match.py).

A path ``attr.sub.member[key.key]`` selects, in every instance of the attribute ``attr``: the
sub-attribute ``sub`` (any depth), then either an instance member (``observedAt``, ``unitCode``,
``datasetId`` ...) or the attribute's value member (``value``, ``object``, ``languageMap``,
``json``, ``valueList``, ``objectList`` or ``vocab``, by its type), then keys inside that value.
``createdAt`` and ``modifiedAt`` alone name the entity's own timestamps.
"""

from dataclasses import dataclass
from datetime import datetime

from broker.core import datetimes
from broker.core.errors import BadRequestData
from broker.entities.attributes import VALUE_MEMBER, check_attribute_name
from broker.entities.query.grammar import INSTANCE_MEMBERS, Comparison, Literal, Path
from broker.jsonld.context import Context

ENTITY_TIMES = frozenset({"createdAt", "modifiedAt"})
# Attribute types whose value member is not `value`.
OTHER_VALUE_MEMBERS = {t: m for t, m in VALUE_MEMBER.items() if m != "value"}
COMPARISON_OPERATORS = frozenset({"==", "!=", ">", ">=", "<", "<="})


@dataclass(frozen=True)
class ResolvedPath:
    """A q path with its names expanded: attribute IRI, sub-attribute IRIs, member, value keys."""

    iri: str
    subs: tuple[str, ...] = ()
    member: str | None = None
    keys: tuple[str, ...] = ()

    @property
    def whole_attribute(self) -> bool:
        return not (self.subs or self.member or self.keys)


def names_entity_time(path: Path) -> bool:
    return not path.subs and not path.keys and path.attribute in ENTITY_TIMES


def resolve_path(path: Path, context: Context) -> ResolvedPath:
    iri = context.expand(check_attribute_name(path.attribute))
    subs: list[str] = []
    member = None
    for index, name in enumerate(path.subs):
        if name in INSTANCE_MEMBERS and index == len(path.subs) - 1:
            member = name
        else:
            subs.append(context.expand(check_attribute_name(name)))
    if member and path.keys:
        raise BadRequestData(f"{member} has no members to select with [...]")
    return ResolvedPath(iri, tuple(subs), member, path.keys)


def entity_time_moment(node: Comparison) -> datetime:
    """The instant a comparison on createdAt/modifiedAt names (UTC when it has no offset)."""
    attribute = node.path.attribute
    if not isinstance(node.value, Literal) or node.value.kind != "datetime":
        raise BadRequestData(f"{attribute} compares with a date-time")
    if node.op not in COMPARISON_OPERATORS:
        raise BadRequestData(f"{node.op} does not apply to {attribute}")
    try:
        return datetimes.parse_datetime(str(node.value.value))
    except datetimes.NotADateTime as exc:
        raise BadRequestData(f"{attribute} {exc}") from exc
