"""/healthz and the OpenAPI document."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from backend.api import OPENAPI, PLATFORM, SCHEDULER_STATE
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response
from backend.context import Platform

routes = ApiRoutes("service")


@routes.op("GET", "/healthz", "Health of the backend and its dependencies", auth=False,
           responses={200: "Healthy", 503: "A dependency is down"})
async def healthz(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    database: dict[str, object] = {"dialect": platform.engine.dialect.name}
    try:
        async with platform.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        database["ok"] = True
    except Exception as exc:  # any driver error means "down" to a health check
        database.update(ok=False, error=type(exc).__name__)
    scheduler = request.app.get(SCHEDULER_STATE, {"enabled": False})
    healthy = bool(database["ok"])
    return json_response({"status": "ok" if healthy else "degraded", "database": database,
                          "scheduler": scheduler}, status=200 if healthy else 503)


@routes.op("GET", "/api/openapi.json", "This document", auth=False)
async def openapi(request: web.Request) -> web.Response:
    return json_response(request.app[OPENAPI])
