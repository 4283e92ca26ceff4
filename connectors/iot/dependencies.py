"""Dependencies of the provisioning routes: the caller's access, the IoT components."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from auth import scopes
from auth.dependencies import require
from auth.principals import Access
from broker.core.tenancy import FIWARE_SERVICE_HEADER
from broker.jsonld.context import Context
from connectors.iot.directory import GroupDirectory
from connectors.iot.ingestion import Ingestion
from connectors.iot.stats import IngestionStats
from connectors.mqtt.connection import MqttConnection

SERVICE_PATH_HEADER = "Fiware-ServicePath"


@dataclass
class IotComponents:
    """What the IoT connector keeps on app.state.iot."""

    directory: GroupDirectory
    stats: IngestionStats
    ingestion: Ingestion
    context: Context
    stale_after: float
    connection: MqttConnection | None = None


def iot_components(request: Request) -> IotComponents:
    iot: IotComponents = request.app.state.iot
    return iot


DevicesManage = Annotated[
    Access, Depends(require(scopes.DEVICES, tenant_header=FIWARE_SERVICE_HEADER))
]
# Provisioning creates an unknown tenant when auth is disabled (as the IoT Agent would).
DevicesProvision = Annotated[
    Access,
    Depends(require(scopes.DEVICES, tenant_header=FIWARE_SERVICE_HEADER, creates_tenant=True)),
]
Components = Annotated[IotComponents, Depends(iot_components)]
ServicePath = Annotated[
    str,
    Header(
        alias=SERVICE_PATH_HEADER,
        pattern=r"^/[^#?]{0,255}$",
        description="kept with the group or device (IoT Agent subservice); default /",
    ),
]
