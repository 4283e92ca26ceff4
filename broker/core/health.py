"""Liveness and readiness probes."""

from fastapi import APIRouter

from broker.core.dependencies import DatabaseDep
from broker.core.errors import InternalError
from broker.core.routing import RenkeiRoute

router = APIRouter(tags=["health"], route_class=RenkeiRoute)


@router.get("/health", operation_id="health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


@router.get("/ready", operation_id="ready")
async def ready(db: DatabaseDep) -> dict[str, str]:
    """Readiness: the database answers."""
    try:
        await db.ping()
    except Exception as exc:
        raise ReadinessFailed(f"database not reachable: {type(exc).__name__}") from exc
    return {"status": "ready"}


class ReadinessFailed(InternalError):
    status = 503
    title = "Not ready"
