"""What a user account is made from and shown as."""

from datetime import datetime

from pydantic import BaseModel, Field

from auth.users.roles import ROLES

USER_ID = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
MIN_PASSWORD = 12


class UserCreate(BaseModel):
    id: str = Field(pattern=USER_ID, description="the sign-in name")
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(description=f"one of {', '.join(ROLES)}")
    tenant: str | None = Field(default=None, description="the municipality of a municipal role")
    password: str = Field(min_length=MIN_PASSWORD, max_length=1024)


class UserOut(BaseModel):
    id: str
    name: str
    role: str
    tenants: list[str]
    active: bool
    lockedUntil: datetime | None
    createdAt: datetime
