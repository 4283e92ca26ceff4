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


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str | None = None
    kind: Kind | None = None
    nameJa: str | None = Field(default=None, max_length=200)
    nameEn: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=320)
    active: bool | None = None


class TenantOut(BaseModel):
    id: str
    code: str | None
    kind: str
    nameJa: str | None
    nameEn: str | None
    contact: str | None
    active: bool
    createdAt: datetime
    updatedAt: datetime | None
