"""Admin API bodies for data sharing grants."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granteeTenant: str | None = Field(default=None, description="every client of this tenant")
    granteeClient: str | None = Field(default=None, description="or this one client")
    entityTypes: list[str] = Field(min_length=1, description="names or IRIs the grantee may read")


class GrantOut(BaseModel):
    id: str
    tenant: str
    granteeTenant: str | None
    granteeClient: str | None
    entityTypes: list[str]
    createdAt: datetime
    createdBy: str
    revokedAt: datetime | None
