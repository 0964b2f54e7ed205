"""The web chat's session and socket on the real backend with the router tests' fake Rasa:
token → one conversation (hashed), history of one's own lines only, a resent message
acted on once, agent lines live and after a reconnect, polite refusals."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
import yaml
from aiohttp import WSMsgType
from sqlalchemy import select

from backend.models import Conversation, Message
from backend.rules import RulesError, load_rules
from backend.settings import CONFIG_DIR
from backend.web import chat_wording as say
from backend.web.chat_socket import SOCKETS
from tests.backend.router.conftest import SERVICE

TIMEOUT = 10


async def new_session(backend, token: str | None = None) -> dict[str, Any]:
    resp = await backend.post("/chat/session", json={"token": token} if token else {})
    assert resp.status == 200
    return await resp.json()


async def frame(ws) -> dict[str, Any]:
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type == WSMsgType.TEXT, msg
    return json.loads(msg.data)


async def until(ws, kind: str) -> dict[str, Any]:
    """The next frame of this type (others are skipped)."""
    while True:
        data = await frame(ws)
        if data["type"] == kind:
            return data


async def connect(backend, token: str, after: int = 0):
    ws = await backend.ws_connect("/chat/socket")
    await ws.send_json({"type": "hello", "token": token, "after": after})
    ready = await until(ws, "ready")
    return ws, ready


async def ask(ws, message_id: str, text: str, **extra: Any) -> dict[str, Any]:
    await ws.send_json({"type": "message", "id": message_id, "text": text, **extra})
    return await until(ws, "answer")


async def conversation_of(platform, token: str) -> Conversation:
    async with platform.sessions() as session:
        return await session.scalar(select(Conversation).where(
            Conversation.channel == "web",
            Conversation.external_id == hashlib.sha256(token.encode()).hexdigest()))


async def test_a_session_is_a_random_token_whose_hash_names_one_conversation(backend, platform):
    first, second = await new_session(backend), await new_session(backend)
    assert first["new"] and not first["replaced"] and len(first["token"]) >= 43
    assert first["token"] != second["token"]
    conversation = await conversation_of(platform, first["token"])
    assert conversation is not None and conversation.external_id != first["token"]
    assert first["status"] == {"state": "bot", "ahead": None} and first["lines"] == []
    again = await new_session(backend, first["token"])
    assert again["token"] == first["token"] and not again["new"]


async def test_an_unknown_or_malformed_token_gets_a_new_conversation(backend, platform):
    for token in ("A" * 43, "短", "x"):
        opened = await new_session(backend, token)
        assert opened["new"] and opened["replaced"] and opened["token"] != token
    async with platform.sessions() as session:
        keys = (await session.scalars(select(Conversation.external_id))).all()
    assert hashlib.sha256(b"A" * 43).hexdigest() not in keys


async def test_the_socket_replaces_an_unknown_token(backend):
    ws = await backend.ws_connect("/chat/socket")
    await ws.send_json({"type": "hello", "token": "B" * 43, "after": 0})
    session = await until(ws, "session")
    assert session["replaced"] and session["token"] != "B" * 43
    await until(ws, "ready")
    assert (await new_session(backend, session["token"]))["new"] is False
    await ws.close()


async def test_history_holds_only_the_tokens_own_lines(backend, fake_rasa):
    mine, theirs = await new_session(backend), await new_session(backend)
    ws_mine, _ = await connect(backend, mine["token"])
    ws_theirs, _ = await connect(backend, theirs["token"])
    answer = await ask(ws_mine, "m-000001", "我家停电了，电话13812345678")
    await ask(ws_theirs, "t-000001", "别人的问题：电费怎么这么高")
    await ws_mine.close()
    await ws_theirs.close()
    restored = await new_session(backend, mine["token"])
    texts = [line["text"] for line in restored["lines"]]
    assert texts[0] == "我家停电了，电话138****5678"  # stored masked, restored masked
    assert "您好，请问是哪里停电了？" in texts
    assert not any("别人的问题" in (t or "") for t in texts)
    assert [line["id"] for line in restored["lines"]] == [answer["line"]["id"]] + [
        line["id"] for line in answer["lines"]]
    buttons_only = restored["lines"][-1]
    assert buttons_only["options"] == ["我家停电", "查电费"] and buttons_only["text"] is None


async def test_a_resent_message_reaches_rasa_once_and_gets_the_same_answer(backend, fake_rasa):
    token = (await new_session(backend))["token"]
    ws, _ = await connect(backend, token)
    first = await ask(ws, "c0ffee-0001", "我家没电了")
    await ws.close()  # the page lost its socket before it saw the answer, and resends
    ws, _ = await connect(backend, token, after=0)
    again = await ask(ws, "c0ffee-0001", "我家没电了")
    assert fake_rasa.messages() == ["我家没电了"]
    assert again["line"] == first["line"] and again["lines"] == first["lines"]
    assert first["lines"][1]["buttons"] == [{"title": "我家停电", "payload": "/report_outage"},
                                            {"title": "查电费", "payload": "/ask_bill"}]
    await ws.close()


async def test_a_quick_reply_sends_its_payload_and_the_transcript_keeps_its_title(backend, fake_rasa, platform):
    token = (await new_session(backend))["token"]
    ws, _ = await connect(backend, token)
    answer = await ask(ws, "q-0000001", "/report_outage", title="我家停电")
    assert fake_rasa.received[-1]["message"] == "/report_outage"
    assert fake_rasa.received[-1]["metadata"]["client_id"] == "q-0000001"
    assert answer["line"]["text"] == "我家停电" and answer["line"]["sender"] == "customer"
    await ws.close()


async def test_an_agent_line_arrives_live_and_after_a_reconnect(backend, fake_rasa, agents, platform):
    token = (await new_session(backend))["token"]
    ws, ready = await connect(backend, token)
    assert ready["status"]["state"] == "bot"
    answer = await ask(ws, "h-0000001", "转人工")
    assert answer["status"] == {"state": "waiting_agent", "ahead": 0}
    conversation = await conversation_of(platform, token)
    resp = await backend.post(f"/api/conversations/{conversation.id}/claim", headers=agents["agent1"])
    assert resp.status == 200
    joined = await until(ws, "lines")
    assert [line["sender"] for line in joined["lines"]] == ["system"]
    assert (await until(ws, "status"))["status"]["state"] == "agent"
    await backend.post(f"/api/conversations/{conversation.id}/messages", headers=agents["agent1"],
                       json={"text": "您好，我是客服小王，请问您的地址？"})
    live = await until(ws, "lines")
    assert [(line["sender"], line["text"]) for line in live["lines"]] == [("agent", "您好，我是客服小王，请问您的地址？")]
    seen = max(line["seq"] for line in live["lines"])
    await ws.close()
    # Away: the agent's line waits in the outbox; the page gets it once when it comes back.
    await backend.post(f"/api/conversations/{conversation.id}/messages", headers=agents["agent1"],
                       json={"text": "您还在吗？"})
    ws, _ = await connect(backend, token, after=seen)
    missed = await until(ws, "lines")
    assert [line["text"] for line in missed["lines"]] == ["您还在吗？"]
    await ws.send_json({"type": "ping"})
    assert (await until(ws, "pong")) == {"type": "pong"}  # nothing else (no second copy) came before it
    async with platform.sessions() as session:
        pending = (await session.scalars(select(Message).where(Message.conversation_id == conversation.id,
                                                               Message.awaiting_delivery.is_(True)))).all()
    assert pending == []  # delivered: not repeated with the customer's next reply
    assert fake_rasa.messages() == ["转人工"]
    await ws.close()


async def test_the_server_can_drop_a_conversations_sockets(backend):
    token = (await new_session(backend))["token"]
    ws, _ = await connect(backend, token)
    sockets = backend.server.app[SOCKETS]
    assert sockets.count() == 1
    assert await sockets.close() == 1
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)


async def test_bad_frames_get_polite_chinese_errors_and_the_socket_stays_open(backend, fake_rasa, platform):
    token = (await new_session(backend))["token"]
    ws = await backend.ws_connect("/chat/socket")
    await ws.send_json({"type": "message", "id": "early-0001", "text": "你好"})
    assert (await frame(ws))["message"] == say.ERRORS["hello_first"]
    await ws.send_str("{not json")
    assert (await frame(ws))["code"] == "bad_json"
    await ws.send_json({"type": "hello", "token": token, "after": 0})
    await until(ws, "ready")
    await ws.send_str("[1, 2]")
    assert (await until(ws, "error"))["message"] == say.ERRORS["bad_json"]
    await ws.send_json({"type": "dance"})
    assert (await until(ws, "error"))["code"] == "bad_message"
    limit = platform.rules.web_chat.max_message_chars
    await ws.send_json({"type": "message", "id": "long-00001", "text": "停" * (limit + 1)})
    error = await until(ws, "error")
    assert error == {"type": "error", "code": "too_long", "id": "long-00001",
                     "message": say.ERRORS["too_long"].format(limit=limit)}
    await ws.send_json({"type": "message", "id": "blank-0001", "text": "   "})
    assert (await until(ws, "error"))["code"] == "empty"
    await ws.send_json({"type": "message", "id": "bad id!", "text": "你好"})
    assert (await until(ws, "error"))["code"] == "bad_message"
    answer = await ask(ws, "fine-00001", "你好")  # still open and answering
    assert answer["id"] == "fine-00001"
    assert fake_rasa.messages() == ["你好"]
    await ws.close()


async def test_too_many_messages_are_refused_with_a_wait_and_can_be_resent(backend, fake_rasa, platform, clock):
    token = (await new_session(backend))["token"]
    ws, _ = await connect(backend, token)
    rules = platform.rules.web_chat
    for n in range(rules.max_messages):
        await ask(ws, f"burst-{n:04d}", f"第{n}条")
    await ws.send_json({"type": "message", "id": "burst-over", "text": "还有一条"})
    refused = await until(ws, "error")
    assert refused["code"] == "rate_limited" and refused["id"] == "burst-over" and "秒" in refused["message"]
    clock.advance(seconds=rules.window_seconds)
    answer = await ask(ws, "burst-over", "还有一条")  # the refusal released the turn: the resend acts
    assert answer["line"]["text"] == "还有一条"
    assert fake_rasa.messages().count("还有一条") == 1
    await ws.close()


async def test_session_refusals(backend, platform):
    resp = await backend.post("/chat/session", data=b"{oops", headers={"Content-Type": "application/json"})
    assert resp.status == 400 and (await resp.json())["error"]["message"] == say.ERRORS["bad_json"]
    resp = await backend.post("/chat/session", json=[1])
    assert resp.status == 400
    resp = await backend.post("/chat/session", data=b"x" * 5000)
    assert resp.status in (400, 413) and "抱歉" in (await resp.json())["error"]["message"]
    for _ in range(platform.rules.web_chat.max_sessions):  # refused bodies opened none
        assert (await backend.post("/chat/session", json={})).status == 200
    resp = await backend.post("/chat/session", json={})
    assert resp.status == 429 and "Retry-After" in resp.headers
    assert (await resp.json())["error"]["code"] == "sessions_limited"


async def test_a_ticket_of_this_conversation_becomes_a_card_and_anothers_does_not(backend, fake_rasa, platform):
    from tests.backend.units_fixture import seed_units

    await seed_units(platform)
    token = (await new_session(backend))["token"]
    conversation = await conversation_of(platform, token)
    tickets = {}
    for owner in (conversation.id, "someone-else"):
        resp = await backend.post("/api/tickets", headers=SERVICE, json={
            "type": "complaint", "channel": "web", "description": "营业厅服务态度差", "conversation_id": owner,
            "customer": {"phone": "13812345678"}})
        assert resp.status == 201, await resp.text()
        tickets[owner] = (await resp.json())["id"]
    fake_rasa.replies = [{"text": f"已为您受理投诉，工单号{tickets[conversation.id]}。"},
                         {"text": f"另一张工单{tickets['someone-else']}"},
                         {"custom": {"handoff": {"queue": "95598"}}}]
    ws, _ = await connect(backend, token)
    answer = await ask(ws, "tk-000001", "我要投诉")
    card = answer["lines"][0]["ticket"]
    assert card["id"] == tickets[conversation.id] and card["type_name"] == "投诉" and card["status_name"] == "已受理"
    assert {d["name"] for d in card["deadlines"]} >= {"first_contact", "reply"}
    assert all(d["text"].endswith("前") and d["label"] for d in card["deadlines"])
    assert "ticket" not in answer["lines"][1]
    assert len(answer["lines"]) == 2  # the handoff json_message draws nothing
    restored = await new_session(backend, token)
    assert restored["lines"][1]["ticket"]["id"] == tickets[conversation.id]
    await ws.close()


async def test_staff_notes_stay_out_of_the_customers_history(backend, fake_rasa):
    token = (await new_session(backend))["token"]
    ws, _ = await connect(backend, token)
    await ask(ws, "note-00001", "转人工")  # the fake hands over with a summary for the agent
    await ws.close()
    restored = await new_session(backend, token)
    assert not any((line["text"] or "").startswith("客户：") for line in restored["lines"])
    assert restored["status"]["state"] == "waiting_agent"


async def test_the_page_and_the_widget(backend, platform):
    resp = await backend.get("/chat")
    assert resp.status == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors *" in csp and "connect-src 'self' ws://" in csp
    assert "X-Frame-Options" not in resp.headers
    html = await resp.text()
    assert say.PRIVACY in html and 'type="application/json"' in html and "<script>" not in html
    assert f'maxlength="{platform.rules.web_chat.max_message_chars}"' in html
    widget = await backend.get("/chat/widget.js")
    assert widget.status == 200 and widget.content_type == "application/javascript"
    source = await widget.text()
    assert "__WIDGET_CONFIG__" not in source and say.WIDGET_OPEN_LABEL.encode("unicode_escape").decode() in source
    assert widget.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert (await backend.get("/static/chat/chat.js")).status == 200


async def test_a_waiting_page_is_told_when_the_queue_moves(backend, fake_rasa, agents, platform, monkeypatch,
                                                           clock):
    from backend.web import chat_socket

    monkeypatch.setattr(chat_socket, "QUEUE_REFRESH_SECONDS", 0.1)
    first, second = (await new_session(backend))["token"], (await new_session(backend))["token"]
    ws_first, _ = await connect(backend, first)
    await ask(ws_first, "queue-0001", "转人工")
    clock.advance(seconds=30)
    ws_second, _ = await connect(backend, second)
    answer = await ask(ws_second, "queue-0002", "转人工")
    assert answer["status"] == {"state": "waiting_agent", "ahead": 1}
    conversation = await conversation_of(platform, first)
    assert (await backend.post(f"/api/conversations/{conversation.id}/claim", headers=agents["agent1"])).status == 200
    moved = await until(ws_second, "status")
    assert moved["status"] == {"state": "waiting_agent", "ahead": 0}
    await ws_first.close()
    await ws_second.close()


async def test_the_socket_path_without_an_upgrade_is_a_polite_4xx(backend):
    for method, path in (("GET", "/chat/socket"), ("POST", "/chat/socket"), ("GET", "/chat/session")):
        resp = await backend.request(method, path)
        assert 400 <= resp.status < 500, (method, path, resp.status)
        assert re.search(r"[\u4e00-\u9fff]", (await resp.json())["error"]["message"])


@pytest.mark.parametrize("key, value", [("max_message_chars", 0), ("reconnect_initial_ms", 50),
                                        ("reconnect_max_ms", 500), ("embed_origins", []),
                                        ("embed_origins", ["https://a.example; script-src *"])])
def test_the_chat_limits_are_read_and_checked_from_service_rules(tmp_path, key, value):
    raw = yaml.safe_load((CONFIG_DIR / "service_rules.yml").read_text(encoding="utf-8"))
    rules = load_rules(CONFIG_DIR / "service_rules.yml").web_chat
    assert rules.max_message_chars == raw["web_chat"]["max_message_chars"] and rules.embed_origins == ("*",)
    raw["web_chat"][key] = value
    bad = tmp_path / "rules.yml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="web_chat"):
        load_rules(bad)


@pytest.mark.parametrize("after", [2**63, 10**30, -5, True])
async def test_a_hello_naming_a_line_past_any_number_gets_the_history_and_answers(backend, fake_rasa, after):
    # Found by the fuzz pass: after=2**63 overflowed the history query and the socket broke.
    session = await new_session(backend)
    ws, _ = await connect(backend, session["token"], after=after)
    answer = await ask(ws, "m-000009", "我家停电了")
    assert any(line["text"] == "您好，请问是哪里停电了？" for line in answer["lines"])
    await ws.close()
