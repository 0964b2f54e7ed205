"""A small fake Rasa (REST webhook + tracker) and the real backend pointed at it.

The fake records every message it receives, answers with canned replies, and
can be told to fail (status 500), hang (longer than the router waits) or hand
the conversation over the way the assistant's action does (POST
/api/conversations/handoffs with the sender id it was given).
"""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from backend.api.auth import hash_token
from backend.app import create_app
from backend.models import StaffSession, StaffUser
from backend.router import ROUTER, ConversationRouter
from tests.backend.units_fixture import seed_units

RASA_TOKEN = "rasa-secret"
REPLIES = [{"recipient_id": "x", "text": "您好，请问是哪里停电了？"},
           {"recipient_id": "x", "buttons": [{"title": "我家停电", "payload": "/report_outage"},
                                             {"title": "查电费", "payload": "/ask_bill"}]}]


@dataclass
class FakeRasa:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    tracker_reads: list[str] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=lambda: list(REPLIES))
    status: int = 200
    hang: bool = False
    intent: dict[str, Any] = field(default_factory=lambda: {"name": "report_outage", "confidence": 0.93})
    backend: TestClient | None = None  # set: "转人工" makes the fake hand over as the action does
    # The tracker's form in progress and slots (the IVR reads them at hangup and transfer).
    active_loop: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    # What /model/parse was asked (the console's suggestion: NLU only, no conversation touched).
    parsed: list[str] = field(default_factory=list)
    # As our channels do (bot/channels/rest.py): `?state=true` is answered with the tracker's
    # summary beside the messages. False: a bare list, as Rasa's own REST channel answers.
    tells_state: bool = True
    # The X-Request-Id header of each message received (backend/observability/request_ids.py).
    request_headers: list[str | None] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [m["message"] for m in self.received]

    def forget(self) -> None:
        """A Rasa restart with an in-memory tracker store: every session is gone."""
        self.received.clear()
        self.tracker_reads.clear()

    async def webhook(self, request: web.Request) -> web.Response:
        assert request.query.get("token") == RASA_TOKEN
        body = await request.json()
        self.received.append({**body, "input_channel": request.match_info["channel"]})
        self.request_headers.append(request.headers.get("X-Request-Id"))
        if self.hang:
            await asyncio.sleep(5)
        if self.status != 200:
            return web.Response(status=self.status, text="boom")
        if "转人工" in body["message"] and self.backend is not None:
            resp = await self.backend.post("/api/conversations/handoffs", headers=SERVICE, json={
                "channel": "web", "sender_id": body["sender"], "reason": "request_human",
                "summary": f"客户：{body['message']}"})
            queued = await resp.json()
            return self._answer(request, [{"recipient_id": body["sender"],
                                           "text": f"正在为您转接人工客服，您排在第{queued['queue_position']}位。"},
                                          {"recipient_id": body["sender"], "custom": {"handoff": {"queue": "95598"}}}])
        return self._answer(request, [{**reply, "recipient_id": body["sender"]} for reply in self.replies])

    def _answer(self, request: web.Request, messages: list[dict[str, Any]]) -> web.Response:
        if self.tells_state and request.query.get("state") == "true":
            return web.json_response({"messages": messages, "tracker": self.state()})
        return web.json_response(messages)

    def state(self) -> dict[str, Any]:
        return {"latest_message": {"text": "…", "intent": self.intent},
                "active_loop": {"name": self.active_loop} if self.active_loop else {}, "slots": self.slots}

    async def tracker(self, request: web.Request) -> web.Response:
        assert request.query.get("token") == RASA_TOKEN
        assert request.query.get("include_events") == "NONE"
        self.tracker_reads.append(request.match_info["sender"])
        return web.json_response({"sender_id": request.match_info["sender"], **self.state()})


    async def parse(self, request: web.Request) -> web.Response:
        assert request.query.get("token") == RASA_TOKEN
        text = (await request.json())["text"]
        self.parsed.append(text)
        if self.status != 200:
            return web.Response(status=self.status, text="boom")
        return web.json_response({"text": text, "intent": self.intent, "entities": []})


SERVICE = {"Authorization": "Bearer test-token"}


@asynccontextmanager
async def serving_fake_rasa() -> AsyncIterator[FakeRasa]:
    """A fake Rasa listening on a port of its own (several: replicas)."""
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/webhooks/{channel}/webhook", fake.webhook)
    app.router.add_get("/conversations/{sender}/tracker", fake.tracker)
    app.router.add_post("/model/parse", fake.parse)
    async with TestServer(app) as server:
        fake.url = str(server.make_url("")).rstrip("/")
        yield fake


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    async with serving_fake_rasa() as fake:
        yield fake


@pytest.fixture
async def backend(platform, fake_rasa) -> AsyncIterator[TestClient]:
    """The real application, with RASA_URL pointing at the fake."""
    platform.settings = replace(platform.settings, rasa_url=fake_rasa.url, rasa_token=RASA_TOKEN)
    async with TestClient(TestServer(create_app(platform))) as client:
        fake_rasa.backend = client
        yield client


@pytest.fixture
def router(backend: TestClient) -> ConversationRouter:
    return backend.server.app[ROUTER]


@pytest.fixture
async def agents(platform) -> dict[str, dict[str, str]]:
    """Two logged-in agents and a supervisor: name → headers carrying their session cookie."""
    await seed_units(platform)
    headers = {}
    async with platform.sessions() as session:
        for username, role in (("agent1", "agent"), ("agent2", "agent"), ("boss", "supervisor")):
            user = StaffUser(username=username, display_name=username, role=role, unit_id="33",
                             password_hash="-")
            session.add(user)
            await session.flush()
            token = secrets.token_urlsafe(16)
            session.add(StaffSession(token_hash=hash_token(token), user_id=user.id,
                                     created_at=platform.clock(),
                                     expires_at=platform.clock() + timedelta(hours=8)))
            headers[username] = {"Cookie": f"session={token}"}
        await session.commit()
    return headers
