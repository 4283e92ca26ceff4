"""A subscription ready to test entity changes: names expanded, filters compiled, cached.

Compiling resolves the subscription's @context (remote contexts are fetched once) and builds
the in-memory matcher of Query Entities (broker.entities.query.match); the result is kept per
process and rebuilt only when the subscription's `modified_at` changes.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broker.entities.attributes import VALUE_MEMBER
from broker.entities.events import EntityChange
from broker.entities.query.match import compile_matcher
from broker.entities.render import (
    ENTITY_MEMBERS,
    Representation,
    format_datetime,
    render_entity,
)
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context, ContextResolver
from broker.subscriptions.schemas import (
    ATTRIBUTE_CREATED,
    ATTRIBUTE_DELETED,
    ATTRIBUTE_UPDATED,
    ENTITY_CREATED,
    ENTITY_DELETED,
    ENTITY_UPDATED,
    SubscriptionSpec,
    parse_subscription,
)

log = logging.getLogger("renkei.subscriptions")
_PREVIOUS = {
    member: "previous" + member[0].upper() + member[1:] for member in VALUE_MEMBER.values()
}


@dataclass(frozen=True)
class Compiled:
    spec: SubscriptionSpec
    context: Context
    watched: frozenset[str]  # expanded attribute names
    representation: Representation
    matches: Any  # Callable[[EntityRecord], bool]

    def triggered_by(self, change: EntityChange) -> bool:
        """Whether the change fires one of the subscription's triggers (clause 5.2.12)."""
        triggers = self.spec.triggers
        before, after = change.before, change.after
        if before is None:
            assert after is not None
            return bool(triggers & {ENTITY_CREATED, ATTRIBUTE_CREATED}) and self._watches(after)
        if after is None:
            return ENTITY_DELETED in triggers and self._watches(before)
        created, updated, deleted = _attribute_changes(before, after, self.watched)
        if ENTITY_UPDATED in triggers and (
            created or updated or deleted or (not self.watched and _entity_changed(before, after))
        ):
            return True
        return (
            (ATTRIBUTE_CREATED in triggers and bool(created))
            or (ATTRIBUTE_UPDATED in triggers and bool(updated))
            or (ATTRIBUTE_DELETED in triggers and bool(deleted))
        )

    def _watches(self, record: EntityRecord) -> bool:
        return not self.watched or any(name in record.attrs for name in self.watched)

    def concerns(self, change: EntityChange) -> bool:
        record = change.after or change.before
        assert record is not None
        return self.triggered_by(change) and bool(self.matches(record))

    def render(self, change: EntityChange, now: datetime) -> dict[str, Any]:
        """The entity as the notification shows it (for a deletion: id, type, deletedAt)."""
        if change.after is None:
            assert change.before is not None
            names = [self.context.compact(t) for t in change.before.types]
            return {
                "id": change.before.id,
                "type": names[0] if len(names) == 1 else names,
                "deletedAt": format_datetime(now),
            }
        rendered = render_entity(change.after, self.context, self.representation)
        if self.spec.show_changes and change.before is not None:
            _add_previous(rendered, change.before, change.after, self.context)
        return rendered


def _attribute_changes(
    before: EntityRecord, after: EntityRecord, watched: frozenset[str]
) -> tuple[set[str], set[str], set[str]]:
    old, new = set(before.attrs), set(after.attrs)
    created, deleted = new - old, old - new
    updated = {n for n in old & new if before.attrs[n] != after.attrs[n]}
    if watched:
        created, updated, deleted = created & watched, updated & watched, deleted & watched
    return created, updated, deleted


def _entity_changed(before: EntityRecord, after: EntityRecord) -> bool:
    return before.types != after.types or before.scopes != after.scopes


def _add_previous(
    rendered: dict[str, Any], before: EntityRecord, after: EntityRecord, context: Context
) -> None:
    """showChanges: previousValue (previousObject, ...) on attributes whose value changed."""
    for iri, instances in after.attrs.items():
        name = context.compact(iri)
        old = before.attrs.get(iri)
        target = rendered.get(name)
        if not old or not isinstance(target, dict) or len(instances) != 1:
            continue
        member = VALUE_MEMBER.get(instances[0].get("type", ""), "value")
        if old[0].get(member) != instances[0].get(member) and member in old[0]:
            target[_PREVIOUS[member]] = old[0][member]


async def compile_subscription(
    document: dict[str, Any],
    local_context: Any,
    contexts: ContextResolver,
    documents: dict[str, Any] | None = None,
) -> Compiled:
    """Compile a stored (or new) subscription; raises the errors of invalid input. With the
    remote @context `documents` kept with it, no fetch is needed."""
    spec = parse_subscription(document)
    context = await contexts.resolve(local_context or None, documents)
    attributes = frozenset(context.expand(name) for name in spec.attributes)
    representation = Representation(
        format=spec.format,
        sys_attrs=spec.sys_attrs,
        pick=(attributes | ENTITY_MEMBERS) if attributes else None,
        attrs_only=bool(attributes),
        lang=spec.lang,
    )
    return Compiled(
        spec=spec,
        context=context,
        watched=frozenset(context.expand(name) for name in spec.watched),
        representation=representation,
        matches=compile_matcher(spec.query, context),
    )


class CompiledCache:
    """Compiled subscriptions of this process, keyed by (tenant, id), valid per modified_at."""

    def __init__(self, contexts: ContextResolver, size: int = 10_000) -> None:
        self.contexts = contexts
        self.size = size
        self._entries: dict[tuple[str, str], tuple[datetime, Compiled]] = {}

    async def get(
        self,
        tenant: str,
        subscription_id: str,
        modified_at: datetime,
        document: Any,
        context: Any,
        documents: dict[str, Any] | None = None,
    ) -> Compiled | None:
        key = (tenant, subscription_id)
        found = self._entries.get(key)
        if found is not None and found[0] == modified_at:
            return found[1]
        try:
            compiled = await compile_subscription(document, context, self.contexts, documents)
        except Exception:
            # A subscription stored by an older version, or a remote @context that cannot be
            # fetched: it cannot be matched now; the change itself must still commit.
            log.exception(
                "subscription %s of tenant %s cannot be compiled", subscription_id, tenant
            )
            return None
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = (modified_at, compiled)
        return compiled
