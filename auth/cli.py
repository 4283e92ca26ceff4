"""`renkei tenant ...`, `renkei client ...`, `renkei users ...`: administration from the
command line.

The commands work on the store directly (RENKEI_DATABASE_URL), as Renkei itself, through the
same services as the admin API.
"""

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit.verify import verify
from auth.clients import service as clients
from auth.clients.router import client_out
from auth.clients.schemas import ClientCreate, ClientCredentials
from auth.keys.service import KeyRing
from auth.principals import SYSTEM
from auth.settings import get_auth_settings
from auth.tenants import service as tenants
from auth.tenants.router import tenant_out
from auth.tenants.schemas import TenantCreate
from auth.users import service as users
from auth.users.roles import ROLES
from auth.users.schemas import UserCreate, UserOut
from broker.core.db import Database
from broker.core.errors import NgsiLdError
from broker.core.settings import get_settings

Command = Callable[[AsyncSession, argparse.Namespace], Awaitable[Any]]


def _print(value: Any) -> None:
    if isinstance(value, list):
        value = [v.model_dump(mode="json") for v in value]
    else:
        value = value.model_dump(mode="json")
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _run(command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        async def main() -> Any:
            db = Database(get_settings().effective_database_url)
            try:
                async with db.transaction() as session:
                    return await command(session, args)
            finally:
                await db.dispose()

        try:
            _print(asyncio.run(main()))
        except NgsiLdError as error:
            print(f"error: {error.detail}")
            return 1
        except ValidationError as error:
            for problem in error.errors():
                print(f"error: {'.'.join(map(str, problem['loc']))}: {problem['msg']}")
            return 1
        return 0

    return run


def _words(value: str) -> list[str]:
    return [w for w in value.replace(",", " ").split() if w]


async def _tenant_add(session: AsyncSession, args: argparse.Namespace) -> Any:
    body = TenantCreate(
        id=args.name,
        code=args.code,
        kind=args.kind,
        nameJa=args.name_ja,
        nameEn=args.name_en,
        contact=args.contact,
        rateLimit=args.rate_limit,
    )
    return tenant_out(await tenants.register_tenant(session, SYSTEM, body=body))


async def _tenant_list(session: AsyncSession, args: argparse.Namespace) -> Any:
    return [tenant_out(t) for t in await tenants.list_tenants(session, SYSTEM)]


def _credentials(issued: clients.IssuedSecret) -> ClientCredentials:
    return ClientCredentials(**client_out(issued.client).model_dump(), secret=issued.secret)


async def _client_add(session: AsyncSession, args: argparse.Namespace) -> Any:
    body = ClientCreate(
        id=args.id,
        name=args.name,
        scopes=_words(args.scopes),
        tenants=_words(args.tenants),
        entityTypes=_words(args.entity_types) if args.entity_types else None,
    )
    return _credentials(await clients.create_client(session, SYSTEM, body=body))


async def _client_list(session: AsyncSession, args: argparse.Namespace) -> Any:
    return [client_out(c) for c in await clients.list_clients(session, SYSTEM)]


async def _client_rotate(session: AsyncSession, args: argparse.Namespace) -> Any:
    return _credentials(await clients.rotate_secret(session, SYSTEM, client_id=args.id))


async def _client_revoke(session: AsyncSession, args: argparse.Namespace) -> Any:
    return client_out(await clients.revoke_client(session, SYSTEM, client_id=args.id))


def user_out(user: Any) -> UserOut:
    return UserOut(
        id=user.id,
        name=user.name,
        role=user.role,
        tenants=user.tenants,
        active=user.active,
        lockedUntil=user.locked_until,
        createdAt=user.created_at,
    )


async def _user_create(session: AsyncSession, args: argparse.Namespace) -> Any:
    """The password is typed at the terminal, or read from standard input when that is not a
    terminal (scripts); never from the command line, which the process list shows."""
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    body = UserCreate(
        id=args.id, name=args.name, role=args.role, tenant=args.tenant, password=password
    )
    return user_out(await users.create_user(session, SYSTEM, body=body))


def _register_users(commands: Any) -> None:
    user = commands.add_parser("users", help="people who sign in to the console")
    user_commands = user.add_subparsers(dest="action", required=True)
    create = user_commands.add_parser("create", help="create a user (e.g. the first admin)")
    create.add_argument("id", help="the sign-in name")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=sorted(ROLES))
    create.add_argument("--tenant", help="the municipality of a municipal role")
    create.set_defaults(func=_run(_user_create))


def _audit_verify(args: argparse.Namespace) -> int:
    """Exit status 0 when every chain is intact, 1 when one is broken."""

    async def main() -> dict[str, Any]:
        settings = get_auth_settings()
        db = Database(get_settings().effective_database_url)
        try:
            keyring = KeyRing(
                db,
                secret=settings.secret.get_secret_value(),
                rotation=timedelta(days=settings.key_rotation_days),
                token_ttl=settings.token_ttl,
            )
            keys = await keyring.verification_keys()
            async with db.read_session() as session:
                reports, unsealed = await verify(
                    session, keys, [args.tenant] if args.tenant else None
                )
        finally:
            await db.dispose()
        return {
            "intact": all(r.intact for r in reports),
            "unsealed": unsealed,
            "chains": [r.body() for r in reports],
        }

    report = asyncio.run(main())
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["intact"] else 1


def register(commands: Any) -> None:
    """Add the `tenant`, `client`, `users` and `audit` commands to the `renkei` parser."""
    _register_users(commands)
    tenant = commands.add_parser("tenant", help="register and list tenants")
    tenant_commands = tenant.add_subparsers(dest="action", required=True)
    add = tenant_commands.add_parser("add", help="register a tenant")
    add.add_argument("name", help="tenant name (the NGSILD-Tenant header value)")
    add.add_argument("--code", help="全国地方公共団体コード, six digits")
    add.add_argument(
        "--kind", default="municipality", choices=["municipality", "prefecture", "shared"]
    )
    add.add_argument("--name-ja")
    add.add_argument("--name-en")
    add.add_argument("--contact")
    add.add_argument(
        "--rate-limit", type=float, help="requests/s per replica (default RENKEI_RATE_LIMIT_TENANT)"
    )
    add.set_defaults(func=_run(_tenant_add))
    tenant_commands.add_parser("list", help="list tenants").set_defaults(func=_run(_tenant_list))

    client = commands.add_parser("client", help="manage OAuth2 clients")
    client_commands = client.add_subparsers(dest="action", required=True)
    add = client_commands.add_parser("add", help="create a client (prints its secret once)")
    add.add_argument("--id", help="client id (default: random)")
    add.add_argument("--name", required=True)
    add.add_argument("--scopes", required=True, help="e.g. 'ngsi-ld:read ngsi-ld:write'")
    add.add_argument("--tenants", required=True, help="e.g. 'yokohama kawasaki', or '*'")
    add.add_argument("--entity-types", help="types the client may see (default: all)")
    add.set_defaults(func=_run(_client_add))
    client_commands.add_parser("list", help="list clients").set_defaults(func=_run(_client_list))
    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="action", required=True)
    check = audit_commands.add_parser("verify", help="check every hash chain and checkpoint")
    check.add_argument("--tenant", help="only this tenant's chain ('*': calls outside tenants)")
    check.set_defaults(func=_audit_verify)

    for action, func, text in (
        ("rotate", _client_rotate, "give a client a new secret (printed once)"),
        ("revoke", _client_revoke, "revoke a client and every token it holds"),
    ):
        parser = client_commands.add_parser(action, help=text)
        parser.add_argument("id")
        parser.set_defaults(func=_run(func))
