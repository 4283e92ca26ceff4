"""The only code that reads and writes hosted @context rows: the contexts of one tenant, every
statement carrying the tenant filter of its base (`TenantBoundRepository.owns`)."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select

from broker.core.repository import TenantBoundRepository
from broker.jsonld.models import HostedContext


class HostedContextRepository(TenantBoundRepository):
    def _this(self, local_id: str) -> tuple[ColumnElement[bool], ...]:
        return (self.owns(HostedContext), HostedContext.id == local_id)

    async def insert(
        self, local_id: str, *, kind: str, document: dict[str, Any], created_at: datetime
    ) -> None:
        await self.session.execute(
            insert(HostedContext).values(
                tenant_id=self.tenant,
                id=local_id,
                kind=kind,
                document=document,
                created_at=created_at,
            )
        )

    async def get(self, local_id: str) -> HostedContext | None:
        statement = select(HostedContext).where(*self._this(local_id))
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def document(self, local_id: str) -> dict[str, Any] | None:
        statement = select(HostedContext.document).where(*self._this(local_id))
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def all(self, *, kind: str | None = None) -> list[HostedContext]:
        statement = select(HostedContext).where(self.owns(HostedContext))
        if kind is not None:
            statement = statement.where(HostedContext.kind == kind)
        statement = statement.order_by(HostedContext.created_at, HostedContext.id)
        return list((await self.session.execute(statement)).scalars())

    async def delete(self, local_id: str) -> bool:
        result = await self.session.execute(
            delete(HostedContext).where(*self._this(local_id)).returning(HostedContext.id)
        )
        return result.scalar_one_or_none() is not None
