"""The only code that reads and writes the search index (catalog_search_terms) and the facet
rows (catalog_facet_values), the same SQL on SQLite and PostgreSQL.

- `SearchIndex`: one tenant's rows, rewritten whenever one of its datasets changes.
- `SearchRepository`: package_search over the whole catalog, filtered by visibility (see
  catalog.datasets.repository): every query term must occur (AND); the score is the sum of the
  weights of the matched tokens; facets count the values of the matched datasets.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, func, insert, not_, or_, select, true
from sqlalchemy.sql.elements import UnaryExpression

from broker.core.repository import Repository, TenantBoundRepository
from catalog.access import Visibility
from catalog.datasets.models import Dataset, FacetValue, SearchTerm
from catalog.datasets.repository import visible
from catalog.search.query import Filter, SearchQuery
from catalog.search.tokens import Term

_SORT_COLUMNS: dict[str, Any] = {
    "metadata_modified": Dataset.metadata_modified,
    "metadata_created": Dataset.metadata_created,
    "name": Dataset.name,
    "title_string": Dataset.title,
    "id": Dataset.id,
}
FACET_VALUE_LENGTH = 200


class SearchIndex(TenantBoundRepository):
    async def replace(
        self, dataset_id: str, weights: dict[str, float], facets: set[tuple[str, str]]
    ) -> None:
        """The index rows of one dataset of this tenant: its tokens and its facet values."""
        await self.clear(dataset_id)
        if weights:
            rows = [
                {"token": t, "dataset_id": dataset_id, "tenant_id": self.tenant, "weight": w}
                for t, w in weights.items()
            ]
            await self.session.execute(insert(SearchTerm), rows)
        if facets:
            values = {(f, v[:FACET_VALUE_LENGTH]) for f, v in facets}
            rows = [
                {"dataset_id": dataset_id, "field": f, "value": v, "tenant_id": self.tenant}
                for f, v in sorted(values)
            ]
            await self.session.execute(insert(FacetValue), rows)

    async def clear(self, dataset_id: str) -> None:
        for model in (SearchTerm, FacetValue):
            await self.session.execute(
                delete(model).where(self.owns(model), model.dataset_id == dataset_id)
            )


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _token(term: Term) -> ColumnElement[bool]:
    if term.prefix:
        return SearchTerm.token.like(_like_prefix(term.token), escape="\\")
    return SearchTerm.token == term.token


def _filter(item: Filter) -> ColumnElement[bool]:
    condition: ColumnElement[bool]
    if item.field in ("metadata_modified", "metadata_created"):
        column = _SORT_COLUMNS[item.field]
        parts = []
        low_out, high_out = item.exclusive
        if item.low is not None:
            parts.append(column > item.low if low_out else column >= item.low)
        if item.high is not None:
            parts.append(column < item.high if high_out else column <= item.high)
        condition = and_(*parts) if parts else true()
    elif item.field == "name":
        condition = Dataset.name == item.value
    elif item.field == "id":
        condition = Dataset.id == item.value
    elif item.field == "capacity":
        condition = Dataset.private.is_(item.value == "private")
    elif item.field == "dataset_type":
        condition = true() if item.value == "dataset" else false()
    else:
        condition = Dataset.id.in_(
            select(FacetValue.dataset_id).where(
                FacetValue.field == item.field, FacetValue.value == item.value
            )
        )
    return not_(condition) if item.negate else condition


@dataclass(frozen=True, slots=True)
class Found:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, int]]]


class SearchRepository(Repository):
    def _conditions(self, query: SearchQuery, visibility: Visibility) -> list[ColumnElement[bool]]:
        conditions = [visible(visibility), *(_filter(item) for item in query.filters)]
        for term in query.terms:
            conditions.append(Dataset.id.in_(select(SearchTerm.dataset_id).where(_token(term))))
        return conditions

    def _order(self, query: SearchQuery) -> list[UnaryExpression[Any]]:
        order: list[UnaryExpression[Any]] = []
        for key, descending in query.sort:
            if key == "score":
                if not query.terms:
                    continue
                score = (
                    select(func.coalesce(func.sum(SearchTerm.weight), 0.0))
                    .where(
                        SearchTerm.dataset_id == Dataset.id,
                        or_(*(_token(term) for term in query.terms)),
                    )
                    .scalar_subquery()
                )
                order.append(score.desc() if descending else score.asc())
            else:
                column = _SORT_COLUMNS[key]
                order.append(column.desc() if descending else column.asc())
        order.append(Dataset.id.asc())  # a stable order for paging
        return order

    async def search(self, query: SearchQuery, visibility: Visibility) -> Found:
        conditions = self._conditions(query, visibility)
        count = await self.session.scalar(select(func.count(Dataset.id)).where(*conditions))
        page = (
            select(Dataset)
            .where(*conditions)
            .order_by(*self._order(query))
            .limit(query.rows)
            .offset(query.start)
        )
        datasets = list((await self.session.execute(page)).scalars()) if query.rows else []
        facets = await self._facets(query, conditions) if query.facet_fields else {}
        return Found(int(count or 0), datasets, facets)

    async def _facets(
        self, query: SearchQuery, conditions: Sequence[ColumnElement[bool]]
    ) -> dict[str, list[tuple[str, int]]]:
        counted = func.count(FacetValue.dataset_id)
        statement = (
            select(FacetValue.field, FacetValue.value, counted)
            .where(
                FacetValue.field.in_(query.facet_fields),
                FacetValue.dataset_id.in_(select(Dataset.id).where(*conditions)),
            )
            .group_by(FacetValue.field, FacetValue.value)
            .having(counted >= query.facet_mincount)
            .order_by(FacetValue.field, counted.desc(), FacetValue.value)
        )
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in query.facet_fields}
        for name, value, count in await self.session.execute(statement):
            items = facets[name]
            if query.facet_limit < 0 or len(items) < query.facet_limit:
                items.append((value, int(count)))
        return facets

    async def counts(self, field: str, visibility: Visibility) -> dict[str, int]:
        """How many visible datasets have each value of a facet field (package_count)."""
        counted = func.count(FacetValue.dataset_id)
        statement = (
            select(FacetValue.value, counted)
            .join(Dataset, Dataset.id == FacetValue.dataset_id)
            .where(FacetValue.field == field, visible(visibility))
            .group_by(FacetValue.value)
        )
        return {value: int(count) for value, count in await self.session.execute(statement)}

    async def values(
        self, field: str, visibility: Visibility, *, containing: str = ""
    ) -> list[str]:
        """The values of a facet field over visible datasets (tag_list), sorted."""
        statement = (
            select(FacetValue.value)
            .join(Dataset, Dataset.id == FacetValue.dataset_id)
            .where(FacetValue.field == field, visible(visibility))
            .group_by(FacetValue.value)
            .order_by(FacetValue.value)
        )
        if containing:
            statement = statement.where(
                func.lower(FacetValue.value).like(
                    "%" + _like_prefix(containing.lower()), escape="\\"
                )
            )
        return list((await self.session.execute(statement)).scalars())
