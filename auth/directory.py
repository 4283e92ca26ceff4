"""What every request's authorization needs from the store, as an in-process snapshot:
clients (active, scopes, tenants, entity types), revoked token ids, and sharing grants.

A change made through this process invalidates the snapshot at once; other replicas see it
within RENKEI_AUTH_CACHE_TTL seconds, except a new client: a token naming a client the snapshot
lacks reloads it when the snapshot may be older than the token.
"""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from auth.clients.repository import ClientRepository
from auth.grants.repository import CrossTenantGrantRepository
from auth.tokens.repository import RevokedTokenRepository
from broker.core.db import Database
from broker.core.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class ClientState:
    id: str
    active: bool
    scopes: frozenset[str]
    tenants: frozenset[str]
    entity_types: frozenset[str] | None
    secret_rotated_at: datetime


@dataclass(frozen=True, slots=True)
class GrantState:
    id: str
    tenant: str
    grantee_tenant: str | None
    grantee_client: str | None
    entity_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Data:
    clients: dict[str, ClientState]
    revoked: frozenset[str]
    grants: dict[str, list[GrantState]]  # by grantor tenant


class Directory:
    def __init__(self, db: Database, *, ttl: float) -> None:
        self.db = db
        self._snapshot = Snapshot(self._load, ttl)

    async def _load(self) -> _Data:
        async with self.db.read_session() as session:
            client_rows = await ClientRepository(session).list_all()
            revoked = await RevokedTokenRepository(session).unexpired()
            grant_rows = await CrossTenantGrantRepository(session).active()
        by_tenant: dict[str, list[GrantState]] = defaultdict(list)
        for g in grant_rows:
            by_tenant[g.tenant_id].append(
                GrantState(
                    g.id, g.tenant_id, g.grantee_tenant, g.grantee_client, frozenset(g.entity_types)
                )
            )
        return _Data(
            clients={
                c.id: ClientState(
                    c.id,
                    c.active,
                    frozenset(c.scopes),
                    frozenset(c.tenants),
                    frozenset(c.entity_types) if c.entity_types is not None else None,
                    c.secret_rotated_at,
                )
                for c in client_rows
            },
            revoked=frozenset(revoked),
            grants=dict(by_tenant),
        )

    async def client(self, client_id: str, *, issued_at: float | None = None) -> ClientState | None:
        """The client, or None when it does not exist (any more). A client missing from a
        snapshot loaded before `issued_at` (the token naming it was issued later: right after
        the client was made here or on another replica) is looked for in a reloaded one."""
        found = (await self._snapshot.get()).clients.get(client_id)
        if found is None and issued_at is not None:
            # `iat` has whole seconds: a snapshot of that second may still predate the token
            age = max(0.0, time.time() - issued_at - 1.0)
            found = (await self._snapshot.get(max_age=age)).clients.get(client_id)
        return found

    async def is_revoked(self, jti: str) -> bool:
        return jti in (await self._snapshot.get()).revoked

    async def grants_of(self, tenant: str) -> list[GrantState]:
        return (await self._snapshot.get()).grants.get(tenant, [])

    def invalidate(self) -> None:
        self._snapshot.invalidate()
