"""5.10.2 Query Context Source Registrations: which registrations of the tenant match a
discovery request. Registrations are few per tenant (the prefecture's sources), so they are
read whole and filtered here with the matchers Query Entities uses, never in SQL."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.entities.query.geo import GeoQuery
from broker.entities.query.grammar import Query, TypeSelection
from broker.entities.query.match import compile_matcher
from broker.entities.query.selection import EntityQuery, check_ids, compile_id_pattern
from broker.entities.repository import EntityRecord
from broker.jsonld.context import Context
from broker.registrations.matching import Wanted, serving
from broker.registrations.models import Registration
from broker.registrations.render import information_of, render_registration
from broker.registrations.repository import RegistrationRepository
from broker.registrations.schemas import GEO_MEMBERS, TYPE

# Members of the standard that q and csf may test as if they were the registration's properties.
_TESTABLE = ("endpoint", "mode", "tenant", "registrationName", "description", "refreshRate")


@dataclass(frozen=True)
class RegistrationQuery:
    """What a discovery request selects; names as the client wrote them."""

    ids: tuple[str, ...] = ()
    types: TypeSelection | None = None
    id_pattern: str | None = None
    attrs: frozenset[str] = field(default_factory=frozenset)
    q: Query | None = None
    csf: Query | None = None
    scope_q: tuple[tuple[str, ...], ...] | None = None
    geo: GeoQuery | None = None


@dataclass
class RegistrationPage:
    items: list[dict[str, Any]]
    total: int | None
    more: bool = False


def _record(row: Registration, context: Context) -> EntityRecord:
    """The registration as an entity whose properties are its members, for q, csf, geo."""
    attrs: dict[str, Any] = {}
    for name, iri in row.extra_names.items():
        attrs[iri] = [{"type": "Property", "value": row.document[name]}]
    for name in _TESTABLE:
        value = row.mode if name == "mode" else row.document.get(name)
        if value is not None:
            attrs[context.expand(name)] = [{"type": "Property", "value": value}]
    for name in GEO_MEMBERS:
        if name in row.document:
            attrs[context.expand(name)] = [{"type": "GeoProperty", "value": row.document[name]}]
    scope = row.document.get("scope")
    return EntityRecord(
        id=row.id,
        types=[TYPE],
        scopes=(scope if isinstance(scope, list) else [scope]) if scope else None,
        attrs=attrs,
        created_at=row.created_at,
        modified_at=row.modified_at,
    )


def _wanted(query: RegistrationQuery, context: Context) -> Wanted:
    check_ids(query.ids)
    types = query.types.alternatives if query.types is not None else ()
    return Wanted(
        entity_ids=frozenset(query.ids),
        types=frozenset(context.expand(name) for group in types for name in group),
        attrs=frozenset(context.expand(name) for name in query.attrs),
        id_pattern=compile_id_pattern(query.id_pattern) if query.id_pattern else None,
    )


async def query_registrations(
    session: AsyncSession,
    access: Access,
    *,
    query: RegistrationQuery,
    context: Context,
    limit: int,
    offset: int,
    count: bool,
) -> RegistrationPage:
    """The tenant's registrations that match, expired ones included (status expired), one
    page in id order, and the total when asked."""
    wanted = _wanted(query, context)
    tests = [
        compile_matcher(EntityQuery(q=q), context) for q in (query.q, query.csf) if q is not None
    ]
    if query.scope_q is not None or query.geo is not None:
        tests.append(compile_matcher(EntityQuery(scope_q=query.scope_q, geo=query.geo), context))
    matching = [
        row
        for row in await RegistrationRepository.of(session, access).all()
        if serving(information_of(row), wanted, None)
        and all(test(_record(row, context)) for test in tests)
    ]
    page = matching[offset : offset + limit]
    return RegistrationPage(
        items=[render_registration(row, context) for row in page],
        total=len(matching) if count else None,
        more=len(matching) > offset + limit,
    )
