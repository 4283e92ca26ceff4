"""Admin API bodies for tenants."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TENANT_NAME_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
Kind = Literal["municipality", "prefecture", "shared"]


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=TENANT_NAME_PATTERN, description="the NGSILD-Tenant name")
    code: str | None = Field(
        default=None, description="全国地方公共団体コード: six digits with the check digit"
    )
    kind: Kind = "municipality"
    nameJa: str | None = Field(default=None, max_length=200)
    nameEn: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=320)
    rateLimit: float | None = Field(
        default=None,
        gt=0,
        description="requests/s this tenant may make on each replica (429 past it); "
        "null: RENKEI_RATE_LIMIT_TENANT",
    )


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str | None = None
    kind: Kind | None = None
    nameJa: str | None = Field(default=None, max_length=200)
    nameEn: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=320)
    active: bool | None = None
    rateLimit: float | None = Field(
        default=None,
        gt=0,
        description="requests/s this tenant may make on each replica (429 past it); "
        "null: RENKEI_RATE_LIMIT_TENANT",
    )


class TenantOut(BaseModel):
    id: str
    code: str | None
    kind: str
    nameJa: str | None
    nameEn: str | None
    contact: str | None
    active: bool
    rateLimit: float | None
    createdAt: datetime
    updatedAt: datetime | None
