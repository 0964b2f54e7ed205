"""HTTP API: one module per resource, wired together in backend.app."""
from __future__ import annotations

from aiohttp import web

from backend.context import Platform

PLATFORM = web.AppKey("platform", Platform)
OPENAPI = web.AppKey("openapi", dict)
SCHEDULER_STATE = web.AppKey("scheduler_state", dict)
HEALTH_CHECKS = web.AppKey("health_checks", object)  # backend.observability.health.DependencyChecks
DRAINING = web.AppKey("draining", dict)  # {"draining": bool}: set when the process begins to stop

__all__ = ["DRAINING", "HEALTH_CHECKS", "OPENAPI", "PLATFORM", "SCHEDULER_STATE"]
