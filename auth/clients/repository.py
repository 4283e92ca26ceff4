"""SQL for OAuth2 clients."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from auth.clients.models import Client
from broker.core.db import changed
from broker.core.repository import Repository


class ClientRepository(Repository):
    """The clients table. A client belongs to no one tenant (its `tenants` list names where it
    may act), so no statement here filters by tenant: services decide who may see a client."""

    async def get(self, client_id: str) -> Client | None:
        return await self.session.get(Client, client_id)

    async def list_all(self) -> Sequence[Client]:
        return (await self.session.scalars(select(Client).order_by(Client.id))).all()

    async def add(self, client: Client) -> None:
        self.session.add(client)
        await self.save()

    async def save(self) -> None:
        """Write pending changes of loaded clients."""
        await self.session.flush()
        changed(self.session, "oauth_clients")

    async def any_with_all_tenants(self) -> bool:
        """Whether an active confidential client may act in every tenant (the bootstrap admin
        exists); public clients (the console) act only for the people who sign in to them."""
        statement = select(Client.tenants, Client.secret_hash).where(Client.active)
        for tenants, secret_hash in await self.session.execute(statement):
            if "*" in tenants and not secret_hash.startswith("public$"):
                return True
        return False

    async def revoke(self, client: Client, at: datetime) -> None:
        """Revoke a loaded client, and read it back as revoked."""
        await self.session.execute(
            update(Client).where(Client.id == client.id).values(active=False, revoked_at=at)
        )
        changed(self.session, "oauth_clients")
        await self.session.refresh(client)
