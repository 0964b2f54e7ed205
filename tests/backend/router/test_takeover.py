"""The agents' side: claim (one winner), speak, release, close; the bot is never
asked while a human holds the conversation."""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from backend.errors import Conflict
from backend.models import Message
from backend.router import Holder
from glossary import wording
from tests.backend.router.conftest import SERVICE


async def claim(backend, conversation_id: str, headers: dict[str, str]):
    return await backend.post(f"/api/conversations/{conversation_id}/claim", headers=headers)


async def say(backend, conversation_id: str, headers: dict[str, str], text: str):
    return await backend.post(f"/api/conversations/{conversation_id}/messages", headers=headers,
                              json={"text": text})


async def test_two_agents_claiming_at_once_one_wins(backend, router, agents):
    conversation = await router.open("web", "race-1")
    await router.handle_customer_message(conversation, "转人工")
    for _ in range(3):  # a few rounds: the race must be won once every time
        results = await asyncio.gather(claim(backend, conversation.id, agents["agent1"]),
                                       claim(backend, conversation.id, agents["agent2"]))
        assert sorted(r.status for r in results) == [200, 409]
        won, lost = sorted(results, key=lambda r: r.status)
        assert (await lost.json())["error"]["code"] == "held_by_another"
        holder = (await won.json())["held_by"].removeprefix("staff:")
        assert (await backend.post(f"/api/conversations/{conversation.id}/release",
                                   headers=agents[holder])).status == 200
    lines = (await (await backend.get(f"/api/conversations/{conversation.id}", headers=SERVICE)).json())
    joined = [m for m in lines["messages"] if m["text"] == wording.AGENT_JOINED[0]]
    assert len(joined) == 3  # one notice per won claim


async def test_many_simultaneous_claims_have_exactly_one_winner(router):
    conversation = await router.open("wechat", "race-2")
    outcomes = await asyncio.gather(*(router.takeover.claim(conversation.id, Holder(f"staff:a{n}"))
                                      for n in range(6)), return_exceptions=True)
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1 and winners[0].state == "agent"
    assert all(isinstance(o, Conflict) for o in outcomes if o not in winners)


async def test_while_an_agent_holds_it_rasa_receives_nothing_even_after_a_restart(
        backend, router, fake_rasa, agents):
    conversation = await router.open("web", "held-1")
    await router.handle_customer_message(conversation, "你好")
    assert (await claim(backend, conversation.id, agents["agent1"])).status == 200
    fake_rasa.forget()  # Rasa restarted or its session expired: it remembers nothing
    replies = await router.handle_customer_message(conversation, "我的户号是3301234567890")
    assert [r.text for r in replies] == [wording.AGENT_JOINED[0]]  # pending notice, no bot answer
    assert await router.handle_customer_message(conversation, "在吗") == []
    assert fake_rasa.received == [] and fake_rasa.tracker_reads == []
    detail = await (await backend.get(f"/api/conversations/{conversation.id}", headers=agents["agent1"])).json()
    assert detail["state"] == "agent" and detail["held_by"] == "staff:agent1"
    assert detail["messages"][-2]["text"] == "我的户号是******7890"


async def test_only_the_holder_may_speak(backend, router, agents):
    conversation = await router.open("web", "speak-1")
    resp = await say(backend, conversation.id, agents["agent1"], "您好")
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "not_held"
    assert (await claim(backend, conversation.id, agents["agent1"])).status == 200
    resp = await say(backend, conversation.id, agents["agent2"], "我来吧")
    assert resp.status == 403
    assert (await say(backend, conversation.id, SERVICE, "系统消息")).status == 403
    assert (await say(backend, conversation.id, agents["agent1"], " ")).status == 422
    assert (await backend.post("/api/conversations/nope/claim", headers=agents["agent1"])).status == 404
    assert (await backend.post(f"/api/conversations/{conversation.id}/release",
                               headers=agents["agent2"])).status == 403


async def test_the_service_token_acts_as_a_system_agent(backend, router):
    conversation = await router.open("web", "svc-1")
    assert (await claim(backend, conversation.id, SERVICE)).status == 200
    assert (await say(backend, conversation.id, SERVICE, "您好，我是值班客服")).status == 201
    assert (await claim(backend, conversation.id, SERVICE)).status == 200  # re-claiming one's own: fine


async def test_an_agent_line_on_the_web_reaches_an_open_socket_masked(backend, router, agents):
    conversation = await router.open("web", "live-1")
    async with router.outbox.live.subscribe(conversation.id) as socket:
        await claim(backend, conversation.id, agents["agent1"])
        resp = await say(backend, conversation.id, agents["agent1"], "请确认电话13812345678")
        assert resp.status == 201
        received = [socket.get_nowait().text for _ in range(socket.qsize())]
    assert received == [wording.AGENT_JOINED[0], "请确认电话138****5678"]
    assert await router.outbox.take_pending(conversation.id) == []


async def test_an_ivr_agent_line_is_stored_first_and_waits_for_the_next_turn(backend, router, platform, agents):
    call = await router.open("ivr", "call-9")
    await claim(backend, call.id, agents["agent1"])
    assert (await say(backend, call.id, agents["agent1"], "请稍等，我查一下")).status == 201
    async with platform.sessions() as session:
        stored = (await session.scalars(select(Message).where(Message.conversation_id == call.id)
                                        .order_by(Message.seq))).all()
    assert [(m.sender, m.text, m.awaiting_delivery) for m in stored] == [
        ("system", wording.AGENT_JOINED[1], True), ("agent", "请稍等，我查一下", True)]
    detail = await (await backend.get(f"/api/conversations/{call.id}", headers=SERVICE)).json()
    assert detail["messages"][-1]["pending_delivery"] is True
    taken = await router.outbox.take_pending(call.id)  # the IVR's next turn
    assert [r.text for r in taken] == [wording.AGENT_JOINED[1], "请稍等，我查一下"]
    assert await router.outbox.take_pending(call.id) == []


async def test_release_tells_the_customer_and_the_bot_answers_again(backend, router, fake_rasa, agents):
    conversation = await router.open("wechat", "openid-7")
    await router.handle_customer_message(conversation, "转人工")
    await claim(backend, conversation.id, agents["agent1"])
    await say(backend, conversation.id, agents["agent1"], "已为您处理好了")
    resp = await backend.post(f"/api/conversations/{conversation.id}/release", headers=agents["agent1"])
    assert resp.status == 200 and (await resp.json())["state"] == "bot"
    replies = await router.handle_customer_message(conversation, "好的，再查下电费")
    assert [r.text for r in replies[:3]] == [wording.AGENT_JOINED[0], "已为您处理好了",
                                             wording.BACK_TO_ASSISTANT[0]]
    assert replies[3].text == "您好，请问是哪里停电了？"
    assert fake_rasa.messages() == ["转人工", "好的，再查下电费"]
    detail = await (await backend.get(f"/api/conversations/{conversation.id}", headers=SERVICE)).json()
    system = [m for m in detail["messages"] if m["sender"] == "system"]
    assert [m["actor"] for m in system[-1:]] == ["staff:agent1"]


async def test_close_is_for_the_holder_or_a_supervisor(backend, router, agents):
    conversation = await router.open("web", "close-1")
    await claim(backend, conversation.id, agents["agent1"])
    assert (await backend.post(f"/api/conversations/{conversation.id}/close",
                               headers=agents["agent2"])).status == 403
    resp = await backend.post(f"/api/conversations/{conversation.id}/close", headers=agents["boss"])
    assert resp.status == 200 and (await resp.json())["state"] == "closed"
    assert (await backend.post(f"/api/conversations/{conversation.id}/close",
                               headers=agents["boss"])).status == 409
    assert (await claim(backend, conversation.id, agents["agent1"])).status == 409
    listed = await (await backend.get("/api/conversations?state=closed&channel=web", headers=SERVICE)).json()
    assert [c["id"] for c in listed["items"]] == [conversation.id]


async def test_the_list_shows_the_latest_customer_activity_first(backend, router, agents, clock):
    older, newer = await router.open("web", "list-1"), await router.open("web", "list-2")
    for conversation in (older, newer):
        assert (await claim(backend, conversation.id, agents["agent1"])).status == 200
        clock.advance(minutes=1)
    await router.handle_customer_message(older, "还在吗")  # the customer of the older one writes again
    listed = await (await backend.get("/api/conversations?state=agent", headers=agents["agent1"])).json()
    assert [c["id"] for c in listed["items"]] == [older.id, newer.id]
