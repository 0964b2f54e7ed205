"""HTTP API: one module per resource, wired together in backend.app."""
from __future__ import annotations

from aiohttp import web

from backend.context import Platform

PLATFORM = web.AppKey("platform", Platform)
OPENAPI = web.AppKey("openapi", dict)
SCHEDULER_STATE = web.AppKey("scheduler_state", dict)

__all__ = ["OPENAPI", "PLATFORM", "SCHEDULER_STATE"]
