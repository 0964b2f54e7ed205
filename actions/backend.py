"""The one client the actions use to reach the backend.

Timeouts and retries with backoff for network faults and 5xx; writes carry an
Idempotency-Key derived from the conversation turn, so a retried call (ours or
Rasa's) never writes a ticket twice. A write that still cannot be delivered
goes to the outbox (actions.outbox) and is delivered later with the same key.

`BACKEND_URL` may name several backend processes (comma-separated, backend/replicas.py):
calls go round them and each retry goes to the next one, so a backend that is down costs a
call one refused connection, not an outbox entry.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import aiohttp
from rasa_sdk import Tracker

from actions.metrics import BACKEND_FAILURES
from actions.settings import ActionSettings
from backend.observability import request_ids
from backend.replicas import Replicas
from glossary.identifiers import CUSTOMER_REF_HEADER

log = logging.getLogger(__name__)
RETRY_STATUSES = {502, 503, 504}
BACKOFF = (0.2, 0.6, 1.5)
MESSAGE_ID_IN_KEY = 32  # Rasa's own message ids are 32 hex digits


class BackendUnavailable(Exception):
    """The backend could not be reached (or kept failing) after the retries."""


class BackendError(Exception):
    """The backend answered with a 4xx: its `code` chooses what the customer is told
    (actions.text.say_refusal); its `message` is written for API clients and only logged."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


def turn_key(tracker: Tracker, purpose: str) -> str:
    """Stable for one customer message and purpose, different for the next message.

    The message id is the channel's own when the router sent one (the same when the customer's
    message is resent or a turn is acted on again after a failure), else Rasa's. A long one is
    shortened to a digest so the purpose always fits the backend's 100 characters."""
    message_id = str(tracker.latest_message.get("message_id") or len(tracker.events))
    if len(message_id) > MESSAGE_ID_IN_KEY:
        message_id = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:MESSAGE_ID_IN_KEY]
    return f"{tracker.sender_id}:{message_id}:{purpose}"[:100]


class BackendClient:
    def __init__(self, settings: ActionSettings) -> None:
        self.settings = settings
        self.replicas = Replicas.parse(settings.backend_url)
        self._session: aiohttp.ClientSession | None = None

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout_seconds),
                headers={"Authorization": f"Bearer {self.settings.api_token}"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: str, path: str, *, json: dict | None = None,
                      params: dict | None = None, idempotency_key: str | None = None,
                      customer: str | None = None) -> Any:
        """`customer`: the conversation a look-up by 户号 is made for; the backend limits each
        customer's different 户号 (backend/api/lookups.py), not the assistant's as a whole."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        headers.update(request_ids.headers())  # the customer message this call is made for
        if customer:
            headers[CUSTOMER_REF_HEADER] = customer
        backends = self.replicas.order()
        last: Exception | None = None
        for attempt in range(self.settings.retries + 1):
            base = backends[attempt % len(backends)]
            url = base + path
            try:
                session = await self._client()
                async with session.request(method, url, json=json, params=params, headers=headers) as resp:
                    if resp.status in RETRY_STATUSES:
                        last = BackendUnavailable(f"{method} {path}: HTTP {resp.status}")
                    elif resp.status >= 400:
                        BACKEND_FAILURES.labels("refused").inc()
                        error = (await resp.json(content_type=None) or {}).get("error", {})
                        raise BackendError(resp.status, error.get("code", "error"),
                                           error.get("message") or "", error.get("details"))
                    else:
                        return await resp.json(content_type=None)
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ContentTypeError) as exc:
                if isinstance(exc, aiohttp.ClientConnectorError):
                    self.replicas.refused(base)
                last = exc
            if attempt < self.settings.retries:
                await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
        log.warning("backend unavailable for %s %s: %s", method, path, last)
        BACKEND_FAILURES.labels("unavailable").inc()
        raise BackendUnavailable(str(last))

    async def get(self, path: str, *, customer: str | None = None, **params: Any) -> Any:
        return await self.request("GET", path, params={k: v for k, v in params.items() if v is not None},
                                  customer=customer)

    async def post(self, path: str, body: dict, *, key: str | None = None, customer: str | None = None) -> Any:
        return await self.request("POST", path, json=body, idempotency_key=key, customer=customer)


_client: BackendClient | None = None


def backend() -> BackendClient:
    """The process-wide client (one connection pool per action server)."""
    global _client
    if _client is None:
        _client = BackendClient(ActionSettings.load())
    return _client


def use_backend(client: BackendClient | None) -> None:
    """Point the actions at another backend (tests, the server's start-up)."""
    global _client
    _client = client
