"""Rasa's way to several action servers (bot/action_servers.py), against real HTTP servers: calls
go round them, a server that is down or drops a call is passed over, a refusal (4xx) is Rasa's
to handle as before, and one kept connection carries the calls."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import action_servers
from bot.action_servers import ActionServers
from bot.model_cache import ROOT
from tests.assistant_fixtures import free_port

CALL = {"next_action": "action_submit_repair", "sender_id": "c-1", "tracker": {"slots": {}}}


@dataclass
class ActionServer:
    """An action server that answers, refuses (400) or dies under the call."""

    url: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    peers: set[Any] = field(default_factory=set)
    behaviour: str = "answer"

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.calls.append(body)
        self.peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        if self.behaviour == "die":  # killed mid-action: the connection goes without an answer
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if self.behaviour == "refuse":
            return web.json_response({"action_name": body["next_action"], "error": "no"}, status=400)
        return web.json_response({"events": [], "responses": [{"text": f"answered by {self.url}"}]})


@pytest.fixture
async def servers() -> AsyncIterator[list[ActionServer]]:
    made = []
    async with TestServer(_app(first := ActionServer())) as one, TestServer(_app(second := ActionServer())) as two:
        for server, fake in ((one, first), (two, second)):
            fake.url = str(server.make_url("/webhook"))
            made.append(fake)
        yield made


def _app(fake: ActionServer) -> web.Application:
    app = web.Application()
    app.router.add_post("/webhook", fake.webhook)
    return app


def endpoint(*urls: str) -> ActionServers:
    return ActionServers(EndpointConfig(",".join(urls)))


async def call(actions: ActionServers) -> str:
    answer = await actions.request(json=CALL, method="post", timeout=5)
    return answer["responses"][0]["text"]


async def test_calls_go_round_the_action_servers(servers):
    actions = endpoint(*(s.url for s in servers))
    answered = [await call(actions) for _ in range(4)]
    assert answered == [f"answered by {s.url}" for s in servers] * 2


async def test_a_server_that_is_down_is_passed_over_and_then_tried_last(servers):
    down = f"http://127.0.0.1:{free_port()}/webhook"
    actions = endpoint(down, servers[0].url)
    assert [await call(actions) for _ in range(3)] == [f"answered by {servers[0].url}"] * 3
    assert actions.replicas.order()[-1] == down.removesuffix("/")  # resting


async def test_a_server_killed_under_a_call_hands_the_same_call_to_the_next(servers):
    dying, alive = servers
    dying.behaviour = "die"
    actions = endpoint(dying.url, alive.url)
    assert await call(actions) == f"answered by {alive.url}"
    assert dying.calls == alive.calls == [CALL]  # the same call: its Idempotency-Key files the ticket once


async def test_a_refusal_is_raised_as_rasa_raises_it_and_not_asked_elsewhere(servers):
    refusing, other = servers
    refusing.behaviour = "refuse"
    actions = endpoint(refusing.url, other.url)
    with pytest.raises(ClientResponseError) as refused:
        await actions.request(json=CALL, method="post", timeout=5)
    assert refused.value.status == 400 and other.calls == []


async def test_one_kept_connection_carries_the_calls(servers):
    actions = endpoint(servers[0].url)
    for _ in range(5):
        await call(actions)
    assert len(servers[0].calls) == 5 and len(servers[0].peers) == 1  # Rasa's own opens one per call


def test_rasa_reads_the_production_endpoints_with_every_action_server(monkeypatch):
    action_servers.apply()
    for name, value in {"ACTION_ENDPOINT_URL": "http://10.0.0.1:5055/webhook, http://10.0.0.2:5055/webhook",
                        "TRACKER_DB_HOST": "h", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "d",
                        "TRACKER_DB_USER": "u", "TRACKER_DB_PASSWORD": "", "REDIS_HOST": "r", "REDIS_PORT": "6379",
                        "REDIS_DB": "1"}.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))
    assert isinstance(endpoints.action, ActionServers)
    assert endpoints.action.replicas.urls == ["http://10.0.0.1:5055/webhook", "http://10.0.0.2:5055/webhook"]
    assert endpoints.tracker_store.type == "SQL"  # the rest as Rasa reads it
