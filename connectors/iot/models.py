"""Provisioned IoT service groups and devices (the IoT Agent's configuration, per tenant)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.core.db import Base, JSONDocument, UTCDateTime


class ServiceGroup(Base):
    """A service group (IoT Agent "config group"): devices sharing an API key and defaults."""

    __tablename__ = "iot_service_groups"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    apikey: Mapped[str] = mapped_column(String(128), primary_key=True)
    resource: Mapped[str] = mapped_column(String(256), primary_key=True)
    service_path: Mapped[str] = mapped_column(String(256))
    entity_type: Mapped[str | None] = mapped_column(String(256), nullable=True)
    timestamp: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    explicit_attrs: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    autoprovision: Mapped[bool] = mapped_column(Boolean)
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    static_attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    commands: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Device(Base):
    """A provisioned (or auto-provisioned) device and the entity its measures update."""

    __tablename__ = "iot_devices"

    tenant_id: Mapped[str] = mapped_column(String(64), ForeignKey("tenants.id"), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    apikey: Mapped[str | None] = mapped_column(String(128), nullable=True)
    service_path: Mapped[str] = mapped_column(String(256))
    entity_name: Mapped[str] = mapped_column(String(2048))
    entity_type: Mapped[str] = mapped_column(String(256))
    timestamp: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    explicit_attrs: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    static_attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    commands: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    protocol: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transport: Mapped[str | None] = mapped_column(String(16), nullable=True)
    autoprovisioned: Mapped[bool] = mapped_column(Boolean)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_iot_devices_tenant_apikey", "tenant_id", "apikey"),)
