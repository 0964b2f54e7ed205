"""Rasa's way to the action servers: several of them, and one kept connection pool (issue #10).

Rasa 3.6 knows one action server URL and opens a new HTTP session (a new connection pool,
a new TCP connection) for every custom action it runs. Here the action endpoint's `url` may
name several action servers, comma-separated (`ACTION_ENDPOINT_URL` in
endpoints.production.yml; backend/replicas.py):

- calls go round the action servers in turn; one that refuses the connection or drops it
  mid-call is passed over for the next, and rests a while when it refused;
- repeating a call cut off halfway is safe because our actions are: the only writes they make
  carry an Idempotency-Key built from the customer's message (actions/backend.py), so the
  second server's filing returns the first one's ticket;
- a timeout is not repeated (the action may still be running) and a 4xx/5xx answer is
  Rasa's to handle, as before;
- every call goes through one HTTP session per process, kept open.

With one URL, behaviour is Rasa's own except for the kept session. Applied by
`python -m bot.rasa_server` (every Rasa process of ours) after bot/rasa_patches.py.
"""
from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp
from aiohttp import ContentTypeError
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from backend.observability import request_ids
from backend.replicas import Replicas

UPSTREAM_READ_ENDPOINTS = AvailableEndpoints.read_endpoints.__func__  # type: ignore[attr-defined]
_APPLIED = False
IDLE_CONNECTION_SECONDS = 2.0


class ActionServers(EndpointConfig):
    """The action endpoint over every action server its `url` names."""

    def __init__(self, config: EndpointConfig) -> None:
        super().__init__(config.url, config.params, config.headers, config.basic_auth, config.token,
                         config.token_name, config.cafile, **config.kwargs)
        self.type = config.type
        self.replicas = Replicas.parse(config.url or "")
        self.url = self.replicas.first  # Rasa's log lines name it
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _kept_session(self) -> aiohttp.ClientSession:
        """Rasa's session (same headers, auth and timeout), kept for the process's event loop; idle
        connections are let go before the action server (Sanic, 5 s) would close them under a call."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) \
                if self.basic_auth else None
            self._session = aiohttp.ClientSession(
                headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS))
            self._loop = loop
        return self._session

    async def request(self, method: str = "post", subpath: str | None = None,
                      content_type: str | None = "application/json", compress: bool = False,
                      **kwargs: Any) -> Any:
        """EndpointConfig.request (same headers, parameters, errors and answer) on the next
        action server that takes the call. Rasa's own cannot be called for it: it opens and
        closes a session inside every call and knows one URL."""
        headers = {"Content-Type": content_type} if content_type else {}
        headers.update(kwargs.pop("headers", {}))
        headers.update(self.headers)
        headers.update(request_ids.headers())  # the customer message this action is run for
        params = self.combine_parameters(kwargs)
        sslcontext = ssl.create_default_context(cafile=self.cafile) if self.cafile else None

        async def attempt(base: str) -> Any:
            async with self._kept_session().request(method, concat_url(base, subpath), headers=headers,
                                                    params=params, compress=compress, ssl=sslcontext,
                                                    **kwargs) as response:
                if response.status >= 400:
                    raise ClientResponseError(response.status, response.reason, await response.content.read())
                try:
                    return await response.json()
                except ContentTypeError:
                    return None

        return await self.replicas.call(None, attempt, retry_on=(aiohttp.ClientConnectionError,),
                                        refusals=(aiohttp.ClientConnectorError,))


def read_endpoints(cls: type[AvailableEndpoints], endpoint_file: str) -> AvailableEndpoints:
    """Rasa's endpoints, the action endpoint over every action server it names."""
    endpoints = UPSTREAM_READ_ENDPOINTS(cls, endpoint_file)
    if endpoints.action is not None and endpoints.action.url:
        endpoints.action = ActionServers(endpoints.action)
    return endpoints


def apply() -> None:
    """Install the change; calling it again does nothing."""
    global _APPLIED
    if _APPLIED:
        return
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)  # type: ignore[method-assign, assignment]
    _APPLIED = True
