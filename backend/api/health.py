"""/healthz, /readyz, /metrics and the OpenAPI document (issue #11: operability).

/healthz and /readyz are public: a load balancer or a probe asks them without a
credential, and they tell nothing personal (dependencies, latencies, counts).
/metrics is for Prometheus: bearer METRICS_TOKEN (a scrape-only token, admitted nowhere
else: backend/api/policy.py) or the service token, so the service's figures are not public.
"""
from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from backend.api import DRAINING, HEALTH_CHECKS, OPENAPI, PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response
from backend.context import Platform
from backend.observability import gauges, metrics

routes = ApiRoutes("service")


@routes.op("GET", "/healthz", "Health of the backend and of each dependency, with its latency", auth=False,
           responses={200: "Up (status ok, or degraded: a dependency other than the database is down)",
                      503: "The database is down"})
async def healthz(request: web.Request) -> web.Response:
    status, body = await request.app[HEALTH_CHECKS].report()
    return json_response(body, status=status)


@routes.op("GET", "/readyz", "Whether this process should take traffic", auth=False,
           responses={200: "Ready", 503: "Not ready: database unreachable or behind the code's schema, "
                                          "or the process is shutting down"})
async def readyz(request: web.Request) -> web.Response:
    status, body = await request.app[HEALTH_CHECKS].readiness(bool(request.app[DRAINING]["draining"]))
    return json_response(body, status=status)


@routes.op("GET", "/metrics", "Prometheus metrics (bearer METRICS_TOKEN or the service token)",
           responses={200: "The exposition in Prometheus's text format"})
async def metrics_exposition(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    await gauges.refresh_conversations(platform)
    return web.Response(body=generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.op("GET", "/api/openapi.json", "This document", auth=False)
async def openapi(request: web.Request) -> web.Response:
    return json_response(request.app[OPENAPI])
