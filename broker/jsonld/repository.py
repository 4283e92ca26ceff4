"""The only code that reads and writes hosted @context rows; every statement is filtered by
tenant."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from broker.jsonld.models import HostedContext


class HostedContextRepository:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

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
        statement = select(HostedContext).where(
            HostedContext.tenant_id == self.tenant, HostedContext.id == local_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def document(self, local_id: str) -> dict[str, Any] | None:
        statement = select(HostedContext.document).where(
            HostedContext.tenant_id == self.tenant, HostedContext.id == local_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def all(self, *, kind: str | None = None) -> list[HostedContext]:
        statement = select(HostedContext).where(HostedContext.tenant_id == self.tenant)
        if kind is not None:
            statement = statement.where(HostedContext.kind == kind)
        statement = statement.order_by(HostedContext.created_at, HostedContext.id)
        return list((await self.session.execute(statement)).scalars())

    async def delete(self, local_id: str) -> bool:
        result = await self.session.execute(
            delete(HostedContext)
            .where(HostedContext.tenant_id == self.tenant, HostedContext.id == local_id)
            .returning(HostedContext.id)
        )
        return result.scalar_one_or_none() is not None
