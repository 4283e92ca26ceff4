"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from sqlalchemy import text

from broker.core.errors import InternalError
from broker.core.routing import RenkeiRoute

router = APIRouter(tags=["health"], route_class=RenkeiRoute)


@router.get("/health", operation_id="health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


@router.get("/ready", operation_id="ready")
async def ready(request: Request) -> dict[str, str]:
    """Readiness: the database answers."""
    try:
        async with request.app.state.db.read_session() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        raise ReadinessFailed(f"database not reachable: {type(exc).__name__}") from exc
    return {"status": "ready"}


class ReadinessFailed(InternalError):
    status = 503
    title = "Not ready"
