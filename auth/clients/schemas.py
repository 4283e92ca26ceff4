"""Admin API bodies for OAuth2 clients."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

CLIENT_ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]{2,63}$"


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=CLIENT_ID_PATTERN, description="default: random")
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1)
    tenants: list[str] = Field(min_length=1, description="tenant names, or ['*'] for all")
    entityTypes: list[str] | None = Field(
        default=None, description="entity types the client may see (names or IRIs); all if absent"
    )


class ClientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    scopes: list[str] | None = Field(default=None, min_length=1)
    tenants: list[str] | None = Field(default=None, min_length=1)
    entityTypes: list[str] | None = None


class ClientOut(BaseModel):
    id: str
    name: str
    scopes: list[str]
    tenants: list[str]
    entityTypes: list[str] | None
    active: bool
    createdAt: datetime
    secretRotatedAt: datetime
    revokedAt: datetime | None


class ClientCredentials(ClientOut):
    """A client with its secret: shown once, when created or rotated."""

    secret: str
