"""Statistics over a tenant's entities for the type and attribute discovery routes."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.principals import Access
from broker.entities.models import EntityType

# Entities the access may see, for the textual statements below (bound `tenant`, `types`).
_VISIBLE = (
    " AND e.id IN (SELECT v.entity_id FROM entity_types AS v "
    "WHERE v.tenant_id = :tenant AND v.type IN :types)"
)


@dataclass(frozen=True, slots=True)
class AttributeUse:
    entity_type: str
    attribute: str
    attribute_type: str
    entities: int


class TypeRepository:
    """Discovery over the entities of one tenant that the access may see."""

    def __init__(self, session: AsyncSession, access: Access) -> None:
        self.session = session
        self.tenant = access.tenant
        self.types = access.types

    def _text(self, sql: str, params: dict[str, str]) -> sa.TextClause:
        """A textual statement with the visibility filter (`{visible}`) bound."""
        if self.types is None:
            return sa.text(sql.format(visible="")).bindparams(**params)
        return (
            sa.text(sql.format(visible=_VISIBLE))
            .bindparams(sa.bindparam("types", expanding=True))
            .bindparams(**params, types=sorted(self.types))
        )

    async def type_counts(self, type_iri: str | None = None) -> dict[str, int]:
        statement = (
            select(EntityType.type, func.count())
            .where(EntityType.tenant_id == self.tenant)
            .group_by(EntityType.type)
            .order_by(EntityType.type)
        )
        if type_iri is not None:
            statement = statement.where(EntityType.type == type_iri)
        if self.types is not None:
            visible = select(EntityType.entity_id).where(
                EntityType.tenant_id == self.tenant, EntityType.type.in_(sorted(self.types))
            )
            statement = statement.where(EntityType.entity_id.in_(visible))
        return {row[0]: int(row[1]) for row in await self.session.execute(statement)}

    async def attribute_uses(
        self, *, type_iri: str | None = None, attribute: str | None = None
    ) -> list[AttributeUse]:
        """(entity type, attribute, attribute type, number of entities) for the tenant."""
        pg = self.session.get_bind().dialect.name == "postgresql"
        params: dict[str, str] = {"tenant": self.tenant}
        filters = ""
        if type_iri is not None:
            filters += " AND et.type = :type"
            params["type"] = type_iri
        if attribute is not None:
            filters += " AND a.key = :attribute"
            params["attribute"] = attribute
        if pg:
            sources = (
                "CROSS JOIN LATERAL jsonb_each(e.attrs) AS a(key, value) "
                "CROSS JOIN LATERAL jsonb_array_elements(a.value) AS i(v)"
            )
            attribute_type = "i.v ->> 'type'"
        else:
            sources = ", json_each(e.attrs) AS a, json_each(a.value) AS i"
            attribute_type = "json_extract(i.value, '$.type')"
        sql = (
            f"SELECT et.type, a.key, {attribute_type}, count(DISTINCT e.id) "
            "FROM entities AS e JOIN entity_types AS et "
            f"ON et.tenant_id = e.tenant_id AND et.entity_id = e.id {sources} "
            f"WHERE e.tenant_id = :tenant{filters}{{visible}} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        rows = await self.session.execute(self._text(sql, params))
        return [AttributeUse(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def attribute_counts(self, attribute: str | None = None) -> dict[str, int]:
        """Number of entities having each attribute."""
        pg = self.session.get_bind().dialect.name == "postgresql"
        keys = "jsonb_object_keys(e.attrs)" if pg else "json_each(e.attrs)"
        source = f"CROSS JOIN LATERAL {keys} AS a(key)" if pg else f", {keys} AS a"
        params = {"tenant": self.tenant}
        where = "e.tenant_id = :tenant"
        if attribute is not None:
            where += " AND a.key = :attribute"
            params["attribute"] = attribute
        sql = (
            f"SELECT a.key, count(*) FROM entities AS e {source} WHERE {where}{{visible}} "
            "GROUP BY a.key"
        )
        rows = await self.session.execute(self._text(sql, params))
        return {r[0]: int(r[1]) for r in rows}
