"""User accounts: who may create them, and signing in with a password.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended
option); hashing is CPU-bound, so it runs in a worker thread. After `max_failures` wrong
passwords in a row an account is locked for `lockout`; while locked, no password is checked,
so guessing costs the attacker the whole lockout. The outcome of a sign-in is returned, never
raised, so that the failure count is committed with the request.
"""

import asyncio
import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from auth import scopes
from auth.principals import ALL_TENANTS, Principal
from auth.tenants.repository import TenantRepository
from auth.users.models import User
from auth.users.repository import UserRepository
from auth.users.roles import ROLES, Role
from auth.users.schemas import UserCreate
from broker.core.errors import AlreadyExists, BadRequestData, Forbidden

_hasher = PasswordHasher()
# Checked when the name is unknown, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("renkei-no-such-user")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def role_of(user: User) -> Role:
    return ROLES[user.role]


def _tenants_for(principal: Principal, role: Role, tenant: str | None) -> list[str]:
    if role.prefecture_wide:
        if tenant is not None:
            raise BadRequestData(f"the role {role.name} acts in every tenant: give no tenant")
        if not principal.all_tenants:
            raise Forbidden(f"only a prefecture-wide administrator can create a {role.name}")
        return [ALL_TENANTS]
    if tenant is None:
        raise BadRequestData(f"the role {role.name} needs the tenant of its municipality")
    if not principal.member_of(tenant):
        raise Forbidden("you cannot create users of tenants you are not a member of")
    return [tenant]


async def create_user(session: AsyncSession, principal: Principal, *, body: UserCreate) -> User:
    if not principal.has_scope(scopes.TENANTS_ADMIN):
        raise Forbidden(f"creating users needs the scope {scopes.TENANTS_ADMIN}")
    role = ROLES.get(body.role)
    if role is None:
        raise BadRequestData(f"unknown role {body.role}; known: {sorted(ROLES)}")
    tenants = _tenants_for(principal, role, body.tenant)
    missing = await TenantRepository(session).missing([t for t in tenants if t != ALL_TENANTS])
    if missing:
        raise BadRequestData(f"no such tenants: {sorted(missing)}")
    repository = UserRepository(session)
    if await repository.get(body.id) is not None:
        raise AlreadyExists(f"user {body.id} already exists")
    user = User(
        id=body.id,
        name=body.name,
        password_hash=await hash_password(body.password),
        role=role.name,
        tenants=tenants,
        active=True,
        failed_attempts=0,
        locked_until=None,
        created_at=datetime.now(UTC),
    )
    await repository.add(user)
    return user


class Outcome(enum.Enum):
    SIGNED_IN = "signed-in"
    WRONG = "wrong"  # unknown name or wrong password: the caller is not told which
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class SignIn:
    outcome: Outcome
    user: User | None = None


@dataclass(frozen=True, slots=True)
class Lockout:
    max_failures: int
    duration: timedelta


async def sign_in(
    session: AsyncSession, *, user_id: str, password: str, lockout: Lockout
) -> SignIn:
    """The user whose password this is, or why not; counts failures and locks the account."""
    repository = UserRepository(session)
    user = await repository.get(user_id)
    now = datetime.now(UTC)
    if user is None or not user.active:
        await asyncio.to_thread(_verify, _DUMMY_HASH, password)
        return SignIn(Outcome.WRONG)
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(Outcome.LOCKED)
    if await asyncio.to_thread(_verify, user.password_hash, password):
        user.failed_attempts = 0
        user.locked_until = None
        await repository.save()
        return SignIn(Outcome.SIGNED_IN, user)
    user.failed_attempts += 1
    if user.failed_attempts >= lockout.max_failures:
        user.failed_attempts = 0
        user.locked_until = now + lockout.duration
        await repository.save()
        return SignIn(Outcome.LOCKED)
    await repository.save()
    return SignIn(Outcome.WRONG)


async def get_user(session: AsyncSession, user_id: str) -> User | None:
    """The active user of a signed-in token (its `sub`)."""
    user = await UserRepository(session).get(user_id)
    return user if user is not None and user.active else None


def _may_see(principal: Principal, user: User) -> bool:
    return principal.all_tenants or (
        ALL_TENANTS not in user.tenants and all(t in principal.tenants for t in user.tenants)
    )


async def list_users(session: AsyncSession, principal: Principal) -> list[User]:
    """The users a tenant administrator manages: everyone for the prefecture, the users of
    their municipality for a municipal admin."""
    if not principal.has_scope(scopes.TENANTS_ADMIN):
        raise Forbidden(f"listing users needs the scope {scopes.TENANTS_ADMIN}")
    return [u for u in await UserRepository(session).list_all() if _may_see(principal, u)]
