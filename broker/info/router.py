"""5.15 / 6.31 Context Source Identity: GET /info/sourceIdentity (ETSI GS CIM 009 V1.8/1.9)."""

import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from broker.core.dependencies import SettingsDep
from broker.core.routing import RenkeiRoute
from broker.core.tenancy import DEFAULT_TENANT
from broker.entities.dependencies import EntitiesRead
from broker.entities.render import format_datetime
from broker.jsonld.dependencies import LdAccept

router = APIRouter(tags=["info"], route_class=RenkeiRoute)
STARTED = time.monotonic()  # the process start, for contextSourceUptime


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration (PnDTnHnMnS) of whole seconds."""
    whole = int(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    return f"P{days}DT{hours}H{minutes}M{secs}S"


@router.get("/info/sourceIdentity", operation_id="retrieveContextSourceIdentity")
async def source_identity(
    request: Request, settings: SettingsDep, access: EntitiesRead, output: LdAccept
) -> Response:
    """5.15.2 Retrieve Context Source Identity (data type 5.2.40)."""
    alias = settings.source_alias
    if access.tenant != DEFAULT_TENANT:
        # Table 5.2.40-1: with tenants the alias identifies a tenant of this context source.
        alias = f"{alias}.{access.tenant}"
    body = {
        "id": settings.effective_source_id,
        "type": "ContextSourceIdentity",
        "contextSourceExtras": {"product": "Renkei", "version": request.app.version},
        "contextSourceUptime": iso_duration(time.monotonic() - STARTED),
        "contextSourceTimeAt": format_datetime(datetime.now(UTC)),
        "contextSourceAlias": alias,
    }
    return output.response(body)
