"""WeChat's customer-service API: slow replies, agents' lines, the send window, the shared access token."""
from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from sqlalchemy import select

from backend.channels.wechat_api import WechatApi
from backend.models import Message, WechatAccessToken
from backend.privacy import mask_text
from glossary import wording
from tests.backend.channels.wechat_fixtures import (
    OPENID,
    conversation_of,
    event_xml,
    push,
    say,
)
from tests.backend.router.conftest import SERVICE

MERGED = "您好，请问是哪里停电了？\n\n1. 我家停电\n2. 查电费\n" + wording.WECHAT_CHOOSE_BY_NUMBER


def shorter_budget(platform, seconds: float = 0.3) -> None:
    platform.rules = replace(platform.rules, wechat=replace(platform.rules.wechat, reply_budget_seconds=seconds))


async def agent_says(client, conversation_id: str, text: str) -> None:
    resp = await client.post(f"/api/conversations/{conversation_id}/messages", headers=SERVICE, json={"text": text})
    assert resp.status == 201, await resp.text()


async def claim(client, conversation_id: str) -> None:
    resp = await client.post(f"/api/conversations/{conversation_id}/claim", headers=SERVICE)
    assert resp.status == 200, await resp.text()


async def detail(client, conversation_id: str) -> dict:
    resp = await client.get(f"/api/conversations/{conversation_id}", headers=SERVICE)
    assert resp.status == 200
    return await resp.json()


async def test_a_slow_assistant_gets_success_then_one_customer_service_message(wx, fake_rasa, fake_wechat, platform):
    shorter_budget(platform)
    fake_rasa.hang = True  # answers after 5 s
    assert await say(wx, "我家停电了", "5001") == ""  # `success`, within the budget
    assert await say(wx, "我家停电了", "5001") == ""  # WeChat's resend while the first is working
    await fake_wechat.wait_for_sends(1)
    assert fake_wechat.sent == [{"touser": OPENID, "msgtype": "text", "content": MERGED}]
    assert b"\\u" not in fake_wechat.raw_bodies[0]  # UTF-8, not escapes (WeChat shows escapes as is)
    assert await say(wx, "我家停电了", "5001") == ""  # a late resend: already answered, nothing twice
    assert fake_rasa.messages() == ["我家停电了"] and len(fake_wechat.sent) == 1
    conversation = await conversation_of(platform)
    assert (await detail(wx, conversation.id))["wechat_quota"]["remaining"] == \
        platform.rules.wechat.after_message.sends - 1


async def pending_lines(platform, conversation_id: str, at_least: int = 1) -> list[str]:
    """The conversation's lines waiting for delivery (polling: a slow reply's send happens in the background)."""
    for _ in range(300):
        async with platform.sessions() as session:
            texts = (await session.scalars(select(Message.text).where(
                Message.conversation_id == conversation_id, Message.awaiting_delivery.is_(True))
                .order_by(Message.seq))).all()
        if len(texts) >= at_least:
            return list(texts)
        await asyncio.sleep(0.05)
    return list(texts)


async def test_a_slow_reply_wechat_refuses_waits_for_the_customers_next_message(wx, fake_rasa, fake_wechat,
                                                                                 platform):
    shorter_budget(platform)
    fake_rasa.hang = True
    fake_wechat.errors = [45015]  # e.g. the customer unsubscribed and came back
    assert await say(wx, "我家停电了", "5051") == ""
    conversation = await conversation_of(platform)
    assert await pending_lines(platform, conversation.id, 2) == ["您好，请问是哪里停电了？", "[我家停电] / [查电费]"]
    fake_rasa.hang, fake_rasa.replies = False, [{"text": "请告诉我您的地址。"}]
    reply = await say(wx, "在吗", "5052")
    # The stored lines come first (a buttons-only line as the transcript keeps it: the titles), then the answer.
    assert reply == "您好，请问是哪里停电了？\n\n[我家停电] / [查电费]\n\n请告诉我您的地址。"
    assert fake_wechat.sent == [] and await pending_lines(platform, conversation.id, 0) == []


async def test_an_agents_line_reaches_the_customer_through_the_api(wx, fake_wechat, platform):
    await say(wx, "转接人工可以吗", "5101")
    conversation = await conversation_of(platform)
    await claim(wx, conversation.id)
    line = "您好，我是客服小李，请问您的户号是3301234567890吗？"
    await agent_says(wx, conversation.id, line)
    assert fake_wechat.contents() == [wording.AGENT_JOINED[0], mask_text(line)]  # the stored, masked line
    assert {m["touser"] for m in fake_wechat.sent} == {OPENID}


async def test_the_window_allows_five_sends_then_lines_wait_for_the_customer(wx, fake_rasa, fake_wechat, platform):
    allowed = platform.rules.wechat.after_message.sends
    await say(wx, "你好", "5201")
    conversation = await conversation_of(platform)
    quota = (await detail(wx, conversation.id))["wechat_quota"]
    assert quota["remaining"] == allowed
    assert quota["window_ends_at"] == "2026-03-12T09:00:00+08:00"  # 48 h after the message
    await claim(wx, conversation.id)  # the "agent joined" notice is the first send
    for n in range(2, allowed + 2):
        await agent_says(wx, conversation.id, f"第{n}条")
    assert len(fake_wechat.sent) == allowed
    view = await detail(wx, conversation.id)
    assert view["wechat_quota"]["remaining"] == 0
    assert [m["text"] for m in view["messages"] if m.get("pending_delivery")] == [f"第{allowed + 1}条"]
    # The customer writes: the waiting line comes with the passive reply, and a new window opens.
    assert await say(wx, "还在吗", "5202") == f"第{allowed + 1}条"
    assert (await detail(wx, conversation.id))["wechat_quota"]["remaining"] == allowed
    await agent_says(wx, conversation.id, "在的")
    assert fake_wechat.contents()[-1] == "在的"
    assert fake_rasa.messages() == ["你好"]  # held by an agent: the assistant was not asked


async def test_a_window_that_ran_out_opens_again_only_with_a_new_message(wx, fake_wechat, platform, clock):
    await say(wx, "你好", "5301")
    conversation = await conversation_of(platform)
    await claim(wx, conversation.id)
    clock.advance(hours=49)
    await agent_says(wx, conversation.id, "请问还需要帮助吗？")
    assert fake_wechat.contents() == [wording.AGENT_JOINED[0]]
    assert (await detail(wx, conversation.id))["wechat_quota"]["remaining"] == 0
    assert await say(wx, "需要", "5302") == "请问还需要帮助吗？"


async def test_wechat_saying_45047_marks_the_window_used_up_and_keeps_the_line(wx, fake_wechat, platform):
    await say(wx, "你好", "5401")
    conversation = await conversation_of(platform)
    await claim(wx, conversation.id)
    fake_wechat.errors = [45047]
    await agent_says(wx, conversation.id, "稍等，我帮您查一下。")
    assert fake_wechat.contents() == [wording.AGENT_JOINED[0]]
    view = await detail(wx, conversation.id)
    assert view["wechat_quota"]["remaining"] == 0
    assert [m["text"] for m in view["messages"] if m.get("pending_delivery")] == ["稍等，我帮您查一下。"]
    await agent_says(wx, conversation.id, "查到了。")  # nothing is tried while the window is used up
    assert len(fake_wechat.sent) == 1
    assert await say(wx, "好的", "5402") == "稍等，我帮您查一下。\n\n查到了。"


async def test_a_menu_click_allows_three_sends_within_a_minute(wx, fake_wechat, platform, clock):
    window = platform.rules.wechat.after_event
    await push(wx, event_xml("subscribe"))
    conversation = await conversation_of(platform)
    await claim(wx, conversation.id)
    for n in range(window.sends + 1):
        await agent_says(wx, conversation.id, f"第{n}条")
    assert len(fake_wechat.sent) == window.sends
    quota = (await detail(wx, conversation.id))["wechat_quota"]
    assert quota["remaining"] == 0 and quota["opened_by"] == "event"


async def test_the_access_token_is_fetched_once_and_shared(wx, fake_wechat, platform):
    await say(wx, "你好", "5501")
    conversation = await conversation_of(platform)
    await claim(wx, conversation.id)
    await agent_says(wx, conversation.id, "一")
    # A second backend process on the same database uses the stored token, fetching none of its own.
    other = WechatApi(platform)
    try:
        await other.send_text(OPENID, "二")
    finally:
        await other.close()
    assert fake_wechat.token_fetches == 1 and len(fake_wechat.sent) == 3


async def test_an_invalidated_token_is_renewed_once_and_the_send_retried(wx, fake_wechat, platform, clock):
    await say(wx, "你好", "5601")
    conversation = await conversation_of(platform)
    await claim(wx, conversation.id)
    fake_wechat.invalidate()  # someone fetched a new token elsewhere: WeChat answers 40001
    await agent_says(wx, conversation.id, "您好")
    assert fake_wechat.token_fetches == 2 and fake_wechat.contents()[-1] == "您好"
    clock.advance(seconds=7200 - platform.rules.wechat.token_refresh_margin_seconds + 1)  # near expiry
    await say(wx, "在吗", "5602")
    await agent_says(wx, conversation.id, "在")
    assert fake_wechat.token_fetches == 3
    async with platform.sessions() as session:
        stored = await session.scalar(select(WechatAccessToken))
    assert stored.token == "token-3" and stored.refreshing_until is None


async def test_no_send_and_no_loss_when_wechat_cannot_be_reached(wx, fake_wechat, platform):
    await say(wx, "你好", "5701")
    conversation = await conversation_of(platform)
    platform.settings = replace(platform.settings, wechat_api_base="http://127.0.0.1:9")  # nothing listens
    await claim(wx, conversation.id)
    async with platform.sessions() as session:
        pending = (await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation.id, Message.awaiting_delivery.is_(True)))).all()
    assert pending == [wording.AGENT_JOINED[0]]
    assert json.dumps(await detail(wx, conversation.id)).count("pending_delivery") == 1


async def test_processes_asking_at_once_share_one_fetched_token(wx, fake_wechat, platform):
    processes = [WechatApi(platform) for _ in range(3)]  # three backend processes, one database
    try:
        tokens = await asyncio.gather(*(api.access_token() for api in processes))
    finally:
        await asyncio.gather(*(api.close() for api in processes))
    assert tokens == ["token-1"] * 3 and fake_wechat.token_fetches == 1
