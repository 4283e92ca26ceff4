"""OAuth2 client administration (scope tenants:admin) and client authentication.

Client secrets are random 256-bit strings made here, so a salted HMAC-SHA256 protects them at
rest as well as a slow password hash would, without making every token request slow.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auth import scopes
from auth.clients.models import Client
from auth.clients.repository import ClientRepository
from auth.clients.schemas import ClientCreate, ClientUpdate
from auth.principals import ALL_TENANTS, Principal
from auth.tenants.repository import TenantRepository
from auth.types import type_iris
from broker.core.errors import AlreadyExists, BadRequestData, Forbidden, ResourceNotFound

# The secret_hash of a public client (RFC 6749 2.1): no secret matches it.
PUBLIC = "public$-$-"


def is_public(client: Client) -> bool:
    return client.secret_hash == PUBLIC


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hmac.new(salt, secret.encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256${salt.hex()}${digest}"


def check_secret(stored: str, secret: str) -> bool:
    scheme, salt, digest = stored.split("$")
    if scheme != "hmac-sha256":
        return False
    actual = hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(actual, digest)


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    client: Client
    secret: str


def _may_manage(principal: Principal, client_tenants: list[str]) -> bool:
    return principal.all_tenants or (
        ALL_TENANTS not in client_tenants and all(t in principal.tenants for t in client_tenants)
    )


async def _check_grantable(
    session: AsyncSession, principal: Principal, *, scope_list: list[str], tenant_list: list[str]
) -> None:
    unknown = sorted(set(scope_list) - set(scopes.SCOPES))
    if unknown:
        raise BadRequestData(f"unknown scopes {unknown}; known: {sorted(scopes.SCOPES)}")
    beyond = sorted(set(scope_list) - principal.scopes)
    if beyond:
        raise Forbidden(f"you cannot give scopes you do not hold: {beyond}")
    if ALL_TENANTS in tenant_list and len(tenant_list) > 1:
        raise BadRequestData("tenants is either ['*'] or a list of tenant names")
    if not _may_manage(principal, tenant_list):
        raise Forbidden("you cannot give access to tenants you are not a member of")
    missing = await TenantRepository(session).missing([t for t in tenant_list if t != ALL_TENANTS])
    if missing:
        raise BadRequestData(f"no such tenants: {sorted(missing)}")


async def _managed(session: AsyncSession, principal: Principal, client_id: str) -> Client:
    client = await ClientRepository(session).get(client_id)
    if client is None or not _may_manage(principal, client.tenants):
        raise ResourceNotFound(f"client {client_id} not found")
    return client


async def create_client(
    session: AsyncSession, principal: Principal, *, body: ClientCreate
) -> IssuedSecret:
    scope_list = sorted(set(body.scopes))
    tenant_list = sorted(set(body.tenants))
    await _check_grantable(session, principal, scope_list=scope_list, tenant_list=tenant_list)
    client_id = body.id or f"client-{secrets.token_hex(8)}"
    if await ClientRepository(session).get(client_id) is not None:
        raise AlreadyExists(f"client {client_id} already exists")
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    client = Client(
        id=client_id,
        name=body.name,
        secret_hash=hash_secret(secret),
        scopes=scope_list,
        tenants=tenant_list,
        entity_types=type_iris(body.entityTypes),
        active=True,
        created_at=now,
        secret_rotated_at=now,
        revoked_at=None,
    )
    await ClientRepository(session).add(client)
    return IssuedSecret(client, secret)


async def list_clients(session: AsyncSession, principal: Principal) -> list[Client]:
    rows = await ClientRepository(session).list_all()
    return [c for c in rows if _may_manage(principal, c.tenants)]


async def get_client(session: AsyncSession, principal: Principal, *, client_id: str) -> Client:
    return await _managed(session, principal, client_id)


async def update_client(
    session: AsyncSession, principal: Principal, *, client_id: str, body: ClientUpdate
) -> Client:
    client = await _managed(session, principal, client_id)
    if not client.active:
        raise BadRequestData(f"client {client_id} is revoked")
    scope_list = sorted(set(body.scopes)) if body.scopes is not None else client.scopes
    tenant_list = sorted(set(body.tenants)) if body.tenants is not None else client.tenants
    await _check_grantable(session, principal, scope_list=scope_list, tenant_list=tenant_list)
    if body.name is not None:
        client.name = body.name
    client.scopes = scope_list
    client.tenants = tenant_list
    if "entityTypes" in body.model_fields_set:
        client.entity_types = type_iris(body.entityTypes)
    await ClientRepository(session).save()
    return client


async def rotate_secret(
    session: AsyncSession, principal: Principal, *, client_id: str
) -> IssuedSecret:
    """A new secret; the old one stops working. Tokens already issued run until they expire."""
    client = await _managed(session, principal, client_id)
    if not client.active:
        raise BadRequestData(f"client {client_id} is revoked")
    if is_public(client):
        raise BadRequestData(f"client {client_id} is a public client: it has no secret")
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    client.secret_rotated_at = datetime.now(UTC)
    await ClientRepository(session).save()
    return IssuedSecret(client, secret)


async def revoke_client(session: AsyncSession, principal: Principal, *, client_id: str) -> Client:
    """The client can get no more tokens, and every token it holds stops working."""
    client = await _managed(session, principal, client_id)
    if client.id == principal.client_id:
        raise BadRequestData("a client cannot revoke itself")
    await ClientRepository(session).revoke(client, datetime.now(UTC))
    return client


async def authenticate(session: AsyncSession, client_id: str, secret: str) -> Client | None:
    """The active client with this id and secret, else None."""
    client = await ClientRepository(session).get(client_id)
    if client is None or not client.active or not check_secret(client.secret_hash, secret):
        return None
    return client


async def ensure_public_client(session: AsyncSession, *, client_id: str, name: str) -> Client:
    """A public client (such as the console) stored like any client, so that its tokens are
    validated, listed and revoked like others'. It may ask for every scope in every tenant: a
    person's token carries only their role's scopes and their own tenants."""
    repository = ClientRepository(session)
    client = await repository.get(client_id)
    if client is not None:
        return client
    now = datetime.now(UTC)
    client = Client(
        id=client_id,
        name=name,
        secret_hash=PUBLIC,
        scopes=sorted(scopes.SCOPES),
        tenants=[ALL_TENANTS],
        entity_types=None,
        active=True,
        created_at=now,
        secret_rotated_at=now,
        revoked_at=None,
    )
    await repository.add(client)
    return client
