"""The console's server side: the pages' session check, the queue filter, transfer, agent
assist against the fake Rasa's /model/parse, and the live feed (Server-Sent Events)."""
from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import delete, select

from backend.api.auth import hash_token
from backend.console import wording as say
from backend.console.suggestions import response_text
from backend.models import AuditEntry, Conversation, StaffSession, StaffUser
from tests.backend.console.conftest import PASSWORD
from tests.backend.router.conftest import SERVICE
from tests.backend.tickets.helpers import REPAIR


async def post(backend, path: str, headers: dict[str, str], body: dict | None = None):
    return await backend.post(path, headers=headers, json=body)


async def test_the_console_needs_a_staff_session_and_the_login_page_is_open(backend, agents, platform):
    resp = await backend.get("/console", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/console/login"
    resp = await backend.get("/console/login")
    assert resp.status == 200 and say.LOGIN_TITLE in await resp.text()
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert (await backend.get("/console/events")).status == 401
    assert (await backend.get("/console/events?open=" + "x" * 37, headers=agents["agent1"])).status == 422
    resp = await backend.get("/console/events?after=99999999999999999999999", headers=agents["agent1"])
    assert resp.status == 200
    resp.close()
    resp = await backend.get("/console", headers=agents["agent1"])
    page = await resp.text()
    assert resp.status == 200 and "agent1" in page and say.ROLES["agent"] in page and "浙江" in page
    assert "<script>" not in page and 'src="/static/console/console.js"' in page
    resp = await backend.get("/console/login", headers=agents["agent1"], allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/console"
    async with platform.sessions() as session:  # a real login with a password
        from argon2 import PasswordHasher
        session.add(StaffUser(username="login1", display_name="赵客服", role="agent", unit_id="33",
                              password_hash=PasswordHasher().hash(PASSWORD.format(username="login1"))))
        await session.commit()
    resp = await post(backend, "/api/auth/login", {}, {"username": "login1", "password": "demo-login1-95598"})
    assert resp.status == 200
    assert (await backend.get("/console")).status == 200  # the cookie jar now holds the session


async def test_held_by_me_lists_only_the_callers_conversations(backend, router, agents):
    first, second = await router.open("web", "mine-1"), await router.open("wechat", "mine-2")
    assert (await post(backend, f"/api/conversations/{first.id}/claim", agents["agent1"])).status == 200
    mine = await (await backend.get("/api/conversations?held_by=me", headers=agents["agent1"])).json()
    assert [c["id"] for c in mine["items"]] == [first.id]
    theirs = await (await backend.get("/api/conversations?held_by=me", headers=agents["agent2"])).json()
    assert theirs["items"] == []
    every = await (await backend.get("/api/conversations", headers=agents["agent2"])).json()
    assert {c["id"] for c in every["items"]} == {first.id, second.id}  # the old behaviour
    assert (await backend.get("/api/conversations?held_by=you", headers=agents["agent1"])).status == 422


async def test_transfer_holder_or_supervisor_to_an_active_agent(backend, router, agents, platform):
    conversation = await router.open("web", "transfer-1")
    path = f"/api/conversations/{conversation.id}/transfer"
    resp = await post(backend, path, agents["agent1"], {"to": "agent2"})
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "not_held"
    await post(backend, f"/api/conversations/{conversation.id}/claim", agents["agent1"])
    assert (await post(backend, path, agents["agent2"], {"to": "agent2"})).status == 403
    async with platform.sessions() as session:
        session.add_all([StaffUser(username="root", display_name="管理员", role="admin", unit_id="33", password_hash="-"),
                         StaffUser(username="gone", display_name="离职", role="agent", unit_id="33",
                                   password_hash="-", active=False)])
        await session.commit()
    for target in ("nobody", "root", "gone"):
        resp = await post(backend, path, agents["agent1"], {"to": target})
        assert resp.status == 422 and (await resp.json())["error"]["code"] == "invalid_target", target
    resp = await post(backend, path, agents["agent1"], {"to": "agent1"})
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "already_held_by_target"
    resp = await post(backend, path, agents["agent1"], {"to": "agent2"})
    assert resp.status == 200 and (await resp.json())["held_by"] == "staff:agent2"
    say_path = f"/api/conversations/{conversation.id}/messages"
    assert (await post(backend, say_path, agents["agent1"], {"text": "还在吗"})).status == 403
    assert (await post(backend, say_path, agents["agent2"], {"text": "您好，我来为您服务"})).status == 201
    resp = await post(backend, path, agents["boss"], {"to": "agent1"})  # a supervisor moves it back
    assert resp.status == 200
    detail = await (await backend.get(f"/api/conversations/{conversation.id}", headers=agents["agent1"])).json()
    assert detail["state"] == "agent" and detail["held_by"] == "staff:agent1"
    notes = [m for m in detail["messages"] if m["sender"] == "system" and "转给" in m["text"]]
    assert [m["text"] for m in notes] == ["会话已由agent1转给agent2。", "会话已由agent2转给agent1。"]
    assert not any(m.get("pending_delivery") for m in notes)  # staff notes, never sent to the customer
    async with platform.sessions() as session:
        logged = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.transfer")
                                        .order_by(AuditEntry.id))).all()
    assert [(e.actor, e.target_id, e.details) for e in logged] == [
        ("staff:agent1", conversation.id, {"to": "agent2"}), ("staff:boss", conversation.id, {"to": "agent1"})]


async def test_assist_suggests_the_assistants_own_reply_without_touching_the_conversation(
        backend, router, agents, fake_rasa):
    conversation = await router.open("web", "assist-1")
    await router.handle_customer_message(conversation, "你好，我的电话13812345678")
    await post(backend, f"/api/conversations/{conversation.id}/claim", agents["agent1"])
    received, tracker_reads = len(fake_rasa.received), len(fake_rasa.tracker_reads)
    fake_rasa.intent = {"name": "greet", "confidence": 0.88}
    data = await (await backend.get(f"/api/conversations/{conversation.id}/assist", headers=agents["agent1"])).json()
    suggestion = data["suggestion"]
    assert suggestion["status"] == "ok" and suggestion["intent"] == "greet" and suggestion["confidence"] == 0.88
    assert suggestion["reply"] == response_text("utter_greet", ivr=False) and suggestion["source"] == "rule"
    assert fake_rasa.parsed == ["你好，我的电话138****5678"]  # the stored, masked line
    assert (len(fake_rasa.received), len(fake_rasa.tracker_reads)) == (received, tracker_reads)
    fake_rasa.intent = {"name": "report_fault", "confidence": 0.7}
    data = await (await backend.get(f"/api/conversations/{conversation.id}/assist", headers=agents["agent1"])).json()
    assert data["suggestion"]["reply"] == say.SUGGESTIONS["report_fault"]
    fake_rasa.status = 500
    resp = await backend.get(f"/api/conversations/{conversation.id}/assist", headers=agents["agent1"])
    assert resp.status == 200 and (await resp.json())["suggestion"]["status"] == "unavailable"


async def test_assist_on_the_hotline_uses_the_spoken_variation(backend, router, agents, fake_rasa):
    conversation = await router.open("ivr", "call-assist")
    await router.handle_customer_message(conversation, "你好")
    fake_rasa.intent = {"name": "greet", "confidence": 0.9}
    data = await (await backend.get(f"/api/conversations/{conversation.id}/assist", headers=agents["agent1"])).json()
    assert data["suggestion"]["reply"] == response_text("utter_greet", ivr=True) != response_text("utter_greet", False)
    detail = await (await backend.get(f"/api/conversations/{conversation.id}", headers=agents["agent1"])).json()
    assert detail["ivr_transfer"]["conversation_id"] == conversation.id
    assert detail["ivr_transfer"]["intent"] == "greet"


async def test_assist_lists_the_customers_open_tickets_masked_with_the_next_deadline(backend, router, agents):
    conversation = await router.open("web", "assist-tickets")
    mine = await (await post(backend, "/api/tickets", SERVICE, {**REPAIR, "conversation_id": conversation.id})).json()
    other = await (await post(backend, "/api/tickets", SERVICE, REPAIR)).json()
    stranger = await (await post(backend, "/api/tickets", SERVICE,
                                 {**REPAIR, "customer": {"name": "张三", "phone": "13900000000"}})).json()
    data = await (await backend.get(f"/api/conversations/{conversation.id}/assist", headers=agents["agent1"])).json()
    assert data["suggestion"] == {"status": "no_line"}
    tickets = {t["id"]: t for t in data["tickets"]}
    assert set(tickets) == {mine["id"], other["id"]} and stranger["id"] not in tickets
    assert tickets[mine["id"]]["this_conversation"] and not tickets[other["id"]]["this_conversation"]
    first = tickets[mine["id"]]
    assert first["customer"]["phone"] == "138****5678" and first["customer"]["name"] != "王建国"
    assert first["next_deadline"]["name"] == "dispatch" and first["next_deadline"]["overdue"] is False
    assert first["next_deadline"]["due_at"] == mine["deadlines"]["dispatch"]  # the earliest running clock


async def read_events(resp, wanted: int, timeout: float = 5.0) -> list[tuple[str, dict]]:
    """The next `wanted` named events of a Server-Sent Events response."""
    events: list[tuple[str, dict]] = []
    name = None
    while len(events) < wanted:
        raw = (await asyncio.wait_for(resp.content.readline(), timeout)).decode().rstrip("\n")
        if raw.startswith("event: "):
            name = raw[len("event: "):]
        elif raw.startswith("data: ") and name:
            events.append((name, json.loads(raw[len("data: "):])))
            name = None
    return events


async def test_the_feed_pushes_a_new_waiting_conversation_and_the_open_ones_new_lines(
        backend, router, agents, platform):
    platform.rules = replace(platform.rules, console=replace(platform.rules.console, poll_seconds=0.05))
    conversation = await router.open("web", "feed-1")
    await router.handle_customer_message(conversation, "你好")
    resp = await backend.get(f"/console/events?open={conversation.id}&after=2", headers=agents["agent1"])
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
    [(name, ready)] = await read_events(resp, 1)
    assert name == "ready" and ready["poll_seconds"] == 0.05
    await post(backend, "/api/conversations/handoffs", SERVICE,
               {"channel": "web", "sender_id": conversation.id, "reason": "request_human"})
    await router.handle_customer_message(conversation, "人呢？我的户号3301234567890")
    seen: dict[str, list[dict]] = {"conversation": [], "lines": []}
    while not (any(c["state"] == "waiting_agent" for c in seen["conversation"])
               and any(line["sender"] == "customer" for batch in seen["lines"] for line in batch["lines"])):
        [(name, data)] = await read_events(resp, 1)
        seen[name].append(data)
    lines = [line for batch in seen["lines"] for line in batch["lines"]]
    assert [line["seq"] for line in lines] == sorted({line["seq"] for line in lines}) and lines[0]["seq"] > 2
    assert "人呢？我的户号******7890" in [line["text"] for line in lines]
    waiting = next(c for c in seen["conversation"] if c["state"] == "waiting_agent")
    assert waiting["id"] == conversation.id and waiting["queue_position"] == 1
    resp.close()


async def test_every_transcript_line_moves_the_conversations_updated_at(backend, router, platform, clock):
    conversation = await router.open("web", "touch-1")
    clock.advance(minutes=5)
    await router.handle_customer_message(conversation, "你好")
    async with platform.sessions() as session:
        stored = await session.scalar(select(Conversation).where(Conversation.id == conversation.id))
    assert stored.updated_at == clock.now


async def test_an_admin_gets_the_shell_but_no_conversations(backend, agents, platform, clock):
    async with platform.sessions() as session:
        admin = StaffUser(username="root", display_name="管理员", role="admin", unit_id="33", password_hash="-")
        session.add(admin)
        await session.flush()
        session.add(StaffSession(token_hash=hash_token("admin-token"), user_id=admin.id, created_at=clock(),
                                 expires_at=clock() + timedelta(hours=1)))
        await session.commit()
    cookie = {"Cookie": "session=admin-token"}
    page = await (await backend.get("/console", headers=cookie)).text()
    assert '"serves": false' in page and say.ROLES["admin"] in page
    resp = await backend.get("/console/events", headers=cookie)
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "role_not_allowed"
    assert '"serves": true' in await (await backend.get("/console", headers=agents["boss"])).text()


async def test_the_feed_ends_when_the_session_ends_elsewhere(backend, agents, platform):
    # A lost laptop logged out everywhere must not keep receiving customers' lines.
    platform.rules = replace(platform.rules, console=replace(platform.rules.console, poll_seconds=0.05,
                                                             keepalive_seconds=0.1))
    resp = await backend.get("/console/events", headers=agents["agent1"])
    [(name, _)] = await read_events(resp, 1)
    assert name == "ready"
    async with platform.sessions() as session:
        await session.execute(delete(StaffSession))
        await session.commit()
    [(name, _)] = await read_events(resp, 1)
    assert name == "ended"
    resp.close()
