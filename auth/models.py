"""Every table of the auth package, imported together (for Alembic)."""

from auth.audit.models import (
    AuditChain,
    AuditCheckpoint,
    AuditInbox,
    AuditRecord,
    UsageCounter,
)
from auth.clients.models import Client
from auth.grants.models import Grant
from auth.keys.models import SigningKey
from auth.tokens.models import AuthorizationCode, RevokedToken
from auth.users.models import User

__all__ = [
    "AuditChain",
    "AuditCheckpoint",
    "AuditInbox",
    "AuditRecord",
    "AuthorizationCode",
    "Client",
    "Grant",
    "RevokedToken",
    "SigningKey",
    "UsageCounter",
    "User",
]
