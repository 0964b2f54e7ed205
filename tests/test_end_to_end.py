"""A customer talks to the trained assistant: real NLU and dialogue policies,
the real action server (a subprocess) and the real backend (in-process on
SQLite). What the customer reads, and what lands in the backend."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import Ticket
from tests.assistant_fixtures import say

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_a_fault_report_becomes_a_ticket_with_its_deadline(agent, platform):
    opening = await say(agent, "c1", "你好")
    assert "依法保护" in opening and "请问有什么可以帮您" in opening  # privacy notice, then the greeting
    assert "危险" in await say(agent, "c1", "我家突然没电了")
    assert "地址" in await say(agent, "c1", "没有")
    assert "电话" in await say(agent, "c1", "千岛湖镇坪山社区12幢301")
    done = await say(agent, "c1", "13812345678")
    assert "已为您受理故障报修，工单号GD" in done and "3月10日 09:45前到达现场" in done
    async with platform.sessions() as session:
        ticket = await session.scalar(select(Ticket))
    assert (ticket.type, ticket.site_class, ticket.customer_phone) == ("fault_repair", "urban", "13812345678")


async def test_side_question_inside_a_form_then_cancel(agent, platform):
    assert "发生了什么" in await say(agent, "c2", "我要投诉")
    side = await say(agent, "c2", "对了，电费在哪里交啊")
    assert "网上国网" in side and "发生了什么" in side  # answered, then the form asks again
    assert "已为您取消" in await say(agent, "c2", "算了，不投诉了")
    async with platform.sessions() as session:
        assert await session.scalar(select(Ticket)) is None


async def test_identity_before_the_bill_in_traditional_characters(agent):
    assert "户号" in await say(agent, "c3", "這個月電費多少")
    assert "后4位" in await say(agent, "c3", "3301234567890")
    assert "不一致" in await say(agent, "c3", "1111")
    answer = await say(agent, "c3", "5678")
    assert "尾号7890" in answer and "暂无账单记录" in answer  # the test account has no bills


async def test_callers_hear_the_spoken_variations(agent):
    from bot.channels.ivr import IvrOutput

    output = IvrOutput()
    await agent.handle_text("我要投诉", output_channel=output, sender_id="caller-1")
    said = [m["text"] for m in output.messages]
    assert "很抱歉给您带来不便，请说一下发生了什么事情。" in said  # the ivr variation, not the chat one
