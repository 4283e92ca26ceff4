"""Statistics over a tenant's entities for the type and attribute discovery routes."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select

from broker.entities.models import Entity, EntityType
from broker.entities.repository import EntityScope


@dataclass(frozen=True, slots=True)
class AttributeUse:
    entity_type: str
    attribute: str
    attribute_type: str
    entities: int


class TypeRepository(EntityScope):
    """Discovery over the entities of one tenant that the access may see."""

    def _text(self, sql: str, params: dict[str, str]) -> sa.TextClause:
        """A textual statement over `entities AS e` with the visibility filter (`{visible}`)."""
        fragment, binds = self.visible_text("e.id")
        statement = sa.text(sql.format(visible=fragment))
        if binds:
            statement = statement.bindparams(sa.bindparam("visible_types", expanding=True))
        return statement.bindparams(**params, **binds)

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
            visible = select(Entity.id).where(self.visible())
            statement = statement.where(EntityType.entity_id.in_(visible))
        return {row[0]: int(row[1]) for row in await self.session.execute(statement)}

    async def attribute_uses(
        self, *, type_iri: str | None = None, attribute: str | None = None
    ) -> list[AttributeUse]:
        """(entity type, attribute, attribute type, number of entities) for the tenant."""
        pg = self.postgres
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
        pg = self.postgres
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
