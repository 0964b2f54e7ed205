"""The outermost middleware: the request's id, and its latency by route and status.

Outermost, so the id is bound before anything logs; `echo_request_id` puts it on every
answer as it is sent (on_response_prepare), errors, refusals, pages and a WebSocket's
handshake included. The route label is the matched template, or `unmatched` for a path
no route has (a scanner's guesses must not become new series). A WebSocket's latency is
its whole session, so it is not observed.
"""
from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from backend.observability import request_ids
from backend.observability.metrics import HTTP_REQUESTS

UNMATCHED = "unmatched"


def _route(request: web.Request) -> str:
    info = request.match_info
    resource = info.route.resource
    if resource is None or info.http_exception is not None:
        return UNMATCHED
    return resource.canonical


@web.middleware
async def request_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    request[request_ids.METADATA_KEY] = request_ids.bind(request.headers.get(request_ids.HEADER))
    request_ids.conversation_id.set(None)  # a keep-alive connection's previous request named another
    started = time.perf_counter()
    status, observed = 500, True
    try:
        response = await handler(request)
        status, observed = response.status, not isinstance(response, web.WebSocketResponse)
        return response
    except web.HTTPException as exc:  # redirects and aiohttp's own errors the error middleware passed on
        status = exc.status
        raise
    finally:
        if observed:
            HTTP_REQUESTS.labels(request.method, _route(request), str(status)).observe(time.perf_counter() - started)


async def echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
    rid = request.get(request_ids.METADATA_KEY)
    if rid:
        response.headers[request_ids.HEADER] = rid


def install(app: web.Application) -> None:
    app.on_response_prepare.append(echo_request_id)
