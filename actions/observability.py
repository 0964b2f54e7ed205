"""The action server as operators see it (issue #11): request ids, metrics and health.

rasa_sdk offers no hook around an action, so `apply` wraps ActionExecutor.run once,
before the app is made: each call is timed by action and outcome, and runs under the
customer message's request id: the `X-Request-Id` Rasa sent with the call
(bot/action_servers.py), else the one the router put in the message's metadata.
Every backend call the action makes carries it on (actions/backend.py).

`install` adds to rasa_sdk's Sanic app:
- `GET /healthz`: this server's outbox (tickets waiting for the backend): its depth and
  the oldest entry's age; the backend's /healthz shows it for every action server;
- `GET /metrics`: Prometheus, bearer METRICS_TOKEN or the service token.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import metrics
from actions.outbox import Outbox
from actions.settings import ActionSettings
from backend.api.auth import token_matches
from backend.observability import request_ids

log = logging.getLogger(__name__)
UNKNOWN_ACTION = "unknown"
_UPSTREAM_RUN = ActionExecutor.run


async def _observed_run(self: ActionExecutor, action_call: dict[str, Any]) -> Any:
    name = action_call.get("next_action") or ""
    tracker = action_call.get("tracker") or {}
    if request_ids.current() is None:
        request_ids.bind(request_ids.from_tracker(tracker))
    request_ids.conversation_id.set(tracker.get("sender_id"))
    label = name if name in self.actions else UNKNOWN_ACTION
    log.info("action %s", name)
    started, outcome = time.perf_counter(), "error"
    try:
        result = await _UPSTREAM_RUN(self, action_call)
        outcome = "ok"
        return result
    finally:
        metrics.ACTION_DURATION.labels(label, outcome).observe(time.perf_counter() - started)


def apply() -> None:
    ActionExecutor.run = _observed_run  # type: ignore[method-assign]


def scrape_allowed(header: str, tokens: tuple[str, ...]) -> bool:
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return bool(given) and any([token_matches(given, token) for token in tokens])


def install(app: Sanic, settings: ActionSettings, box: Outbox) -> None:
    tokens = (os.environ.get("METRICS_TOKEN", ""), settings.api_token)

    @app.middleware("request")
    async def bind_request_id(request: Request) -> None:
        # A new id when Rasa sent none: a context left from the connection's last call must not name this one.
        request_ids.request_id.set(request_ids.accepted(request.headers.get(request_ids.HEADER)))
        request_ids.conversation_id.set(None)

    @app.middleware("response")
    async def echo_request_id(request: Request, answer: HTTPResponse) -> None:
        rid = request_ids.current()
        if rid:
            answer.headers[request_ids.HEADER] = rid

    @app.get("/healthz")
    async def healthz(_: Request) -> HTTPResponse:
        depth, oldest = await box.depth()
        return response.json({"status": "ok", "outbox": {"depth": depth, "oldest_age_seconds": round(oldest, 1)}})

    @app.get("/metrics")
    async def metrics_exposition(request: Request) -> HTTPResponse:
        if not scrape_allowed(request.headers.get("Authorization", ""), tokens):
            return response.json({"error": {"code": "unauthorized", "message": "请提供有效的访问令牌。"}}, status=401)
        depth, oldest = await box.depth()
        metrics.OUTBOX_DEPTH.set(depth)
        metrics.OUTBOX_OLDEST.set(oldest)
        return response.raw(generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
