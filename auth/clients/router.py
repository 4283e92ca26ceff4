"""OAuth2 client administration: /admin/v1/clients."""

from typing import Annotated

from fastapi import APIRouter, Depends

from auth import scopes
from auth.clients import service
from auth.clients.models import Client
from auth.clients.schemas import ClientCreate, ClientCredentials, ClientOut, ClientUpdate
from auth.dependencies import require_principal
from auth.principals import Principal
from auth.types import type_name
from broker.core.db import SessionDep
from broker.core.routing import RenkeiRoute

router = APIRouter(prefix="/admin/v1/clients", tags=["admin"], route_class=RenkeiRoute)
ClientsAdmin = Annotated[Principal, Depends(require_principal(scopes.TENANTS_ADMIN))]


def client_out(row: Client) -> ClientOut:
    return ClientOut(
        id=row.id,
        name=row.name,
        scopes=row.scopes,
        tenants=row.tenants,
        entityTypes=[type_name(t) for t in row.entity_types] if row.entity_types else None,
        active=row.active,
        createdAt=row.created_at,
        secretRotatedAt=row.secret_rotated_at,
        revokedAt=row.revoked_at,
    )


def _with_secret(issued: service.IssuedSecret) -> ClientCredentials:
    return ClientCredentials(**client_out(issued.client).model_dump(), secret=issued.secret)


@router.post("", status_code=201, operation_id="createClient")
async def create_client(
    session: SessionDep, principal: ClientsAdmin, body: ClientCreate
) -> ClientCredentials:
    """Create a client; its secret is in this response only."""
    return _with_secret(await service.create_client(session, principal, body=body))


@router.get("", operation_id="listClients")
async def list_clients(session: SessionDep, principal: ClientsAdmin) -> list[ClientOut]:
    """The clients this principal administers."""
    return [client_out(c) for c in await service.list_clients(session, principal)]


@router.get("/{client_id}", operation_id="getClient")
async def get_client(session: SessionDep, principal: ClientsAdmin, client_id: str) -> ClientOut:
    """One client."""
    return client_out(await service.get_client(session, principal, client_id=client_id))


@router.patch("/{client_id}", operation_id="updateClient")
async def update_client(
    session: SessionDep, principal: ClientsAdmin, client_id: str, body: ClientUpdate
) -> ClientOut:
    """Change a client's name, scopes, tenants or entity types (effective within seconds)."""
    row = await service.update_client(session, principal, client_id=client_id, body=body)
    return client_out(row)


@router.post("/{client_id}/rotate", operation_id="rotateClientSecret")
async def rotate_client_secret(
    session: SessionDep, principal: ClientsAdmin, client_id: str
) -> ClientCredentials:
    """Give the client a new secret; the old one stops working at once."""
    return _with_secret(await service.rotate_secret(session, principal, client_id=client_id))


@router.post("/{client_id}/revoke", operation_id="revokeClient")
async def revoke_client(session: SessionDep, principal: ClientsAdmin, client_id: str) -> ClientOut:
    """Revoke the client: no new tokens, and the tokens it holds stop working."""
    return client_out(await service.revoke_client(session, principal, client_id=client_id))
