"""IoT Agent provisioning API (iotagent-node-lib compatible) and HTTP measures."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from broker.core.db import SessionDep
from broker.core.dependencies import Offset
from broker.core.routing import RenkeiRoute
from connectors.iot import service, southbound
from connectors.iot.dependencies import (
    Components,
    DevicesManage,
    DevicesProvision,
    ServicePath,
)
from connectors.iot.schemas import (
    DeviceList,
    DeviceOut,
    DevicesIn,
    DeviceUpdate,
    ServiceGroupList,
    ServiceGroupsIn,
    ServiceGroupUpdate,
)

router = APIRouter(prefix="/iot", tags=["iot"], route_class=RenkeiRoute)

Limit = Annotated[int, Query(ge=1, le=1000)]
Resource = Annotated[str | None, Query(description="the group's resource (default: any)")]
_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
    }
}


@router.post("/services", status_code=201, operation_id="createServiceGroups")
async def create_service_groups(
    session: SessionDep, access: DevicesProvision, body: ServiceGroupsIn, path: ServicePath = "/"
) -> Response:
    """Register service groups (API keys and defaults for their devices)."""
    await service.create_groups(session, access, body=body, service_path=path)
    return Response(status_code=201)


@router.get("/services", operation_id="listServiceGroups")
async def list_service_groups(
    session: SessionDep,
    access: DevicesManage,
    iot: Components,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ServiceGroupList:
    """List the tenant's service groups, with this process's ingestion counters."""
    return await service.list_groups(session, access, limit=limit, offset=offset, stats=iot.stats)


@router.put("/services", status_code=204, operation_id="updateServiceGroup")
async def update_service_group(
    session: SessionDep,
    access: DevicesManage,
    body: ServiceGroupUpdate,
    apikey: Annotated[str, Query()],
    resource: Resource = None,
) -> Response:
    """Change a service group (the fields given replace the stored ones)."""
    await service.update_group(session, access, apikey=apikey, resource=resource, body=body)
    return Response(status_code=204)


@router.delete("/services", status_code=204, operation_id="deleteServiceGroup")
async def delete_service_group(
    session: SessionDep,
    access: DevicesManage,
    apikey: Annotated[str, Query()],
    resource: Resource = None,
    device: Annotated[bool, Query(description="also delete the group's devices")] = False,
) -> Response:
    """Remove a service group."""
    await service.delete_group(
        session, access, apikey=apikey, resource=resource, with_devices=device
    )
    return Response(status_code=204)


@router.post("/devices", status_code=201, operation_id="createDevices")
async def create_devices(
    session: SessionDep, access: DevicesProvision, body: DevicesIn, path: ServicePath = "/"
) -> Response:
    """Provision devices."""
    await service.create_devices(session, access, body=body, service_path=path)
    return Response(status_code=201)


@router.get("/devices", operation_id="listDevices")
async def list_devices(
    session: SessionDep,
    access: DevicesManage,
    iot: Components,
    limit: Limit = 20,
    offset: Offset = 0,
) -> DeviceList:
    """List the tenant's devices, with last seen time, stale flag and counters."""
    return await service.list_devices(
        session, access, limit=limit, offset=offset, stats=iot.stats, stale_after=iot.stale_after
    )


@router.get("/devices/{device_id}", operation_id="getDevice")
async def get_device(
    session: SessionDep, access: DevicesManage, iot: Components, device_id: str
) -> DeviceOut:
    """One device, with last seen time, stale flag and counters."""
    return await service.get_device(
        session, access, device_id=device_id, stats=iot.stats, stale_after=iot.stale_after
    )


@router.put("/devices/{device_id}", status_code=204, operation_id="updateDevice")
async def update_device(
    session: SessionDep, access: DevicesManage, device_id: str, body: DeviceUpdate
) -> Response:
    """Change a device (the fields given replace the stored ones)."""
    await service.update_device(session, access, device_id=device_id, body=body)
    return Response(status_code=204)


@router.delete("/devices/{device_id}", status_code=204, operation_id="deleteDevice")
async def delete_device(session: SessionDep, access: DevicesManage, device_id: str) -> Response:
    """Remove a device (its entity stays)."""
    await service.delete_device(session, access, device_id=device_id)
    return Response(status_code=204)


@router.post("/devices/{device_id}/commands", status_code=202, operation_id="sendCommand")
async def send_command(
    session: SessionDep,
    access: DevicesManage,
    iot: Components,
    device_id: str,
    body: Annotated[Any, Body(examples=[{"reset": 1}])],
) -> Response:
    """Send a command `{"<command>": value}` over MQTT; the result arrives in
    `<command>_status` / `<command>_info` of the device's entity."""
    await southbound.send_command(
        session,
        access,
        device_id=device_id,
        body=body,
        connection=iot.connection,
        context=iot.context,
    )
    return Response(status_code=202)


@router.post("/json", status_code=200, operation_id="httpMeasures", openapi_extra=_JSON_BODY)
async def http_measures(
    request: Request,
    iot: Components,
    k: Annotated[str, Query(description="the group's API key")],
    i: Annotated[str, Query(description="the device id", pattern=r"^[^\s/#+?&]{1,256}$")],
    t: Annotated[str | None, Query(description="ISO 8601 time of the measures")] = None,
) -> Response:
    """Measures of a device without MQTT (IoT Agent JSON over HTTP; the API key authenticates)."""
    await southbound.ingest_http(
        iot.ingestion, iot.directory, apikey=k, device_id=i, body=await request.body(), timestamp=t
    )
    return Response(status_code=200)
