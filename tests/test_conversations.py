"""Customers' own words against the whole assistant (trained NLU, policies, the
action server, the backend): places the model never saw, danger outside the
repair flow, forms a person can steer, and the closing turn. Every place and
phrasing here is absent from the training data."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.models import Ticket
from tests.actions.conftest import add_bills
from tests.assistant_fixtures import say

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def tickets(platform) -> list[Ticket]:
    async with platform.sessions() as session:
        return list((await session.scalars(select(Ticket))).all())


async def test_a_repair_at_an_address_the_table_does_not_know_is_filed(agent, platform):
    assert "危险" in await say(agent, "r1", "我家没电了，灯全灭了")
    assert "地址" in await say(agent, "r1", "没有")
    asked = await say(agent, "r1", "幸福里小区3号楼2单元")
    assert "城区" in asked and "农村" in asked  # the site class, asked once
    assert "电话" in await say(agent, "r1", "城区")
    done = await say(agent, "r1", "13812345678")
    assert "已为您受理故障报修，工单号GD" in done and "人工核实后派单" in done
    [ticket] = await tickets(platform)
    assert ticket.site_class == "urban" and ticket.needs_manual_dispatch and ticket.address == "幸福里小区3号楼2单元"


async def test_an_outage_answer_names_the_place_it_looked_up(agent):
    answer = await say(agent, "o1", "请问下姜村那边12月2日停电吗")
    assert "淳安县下姜村" in answer and "12月2日" in answer


async def test_a_bare_suffix_gets_a_question_not_another_place(agent):
    answer = await say(agent, "o2", "我们社区明天停电吗")
    assert "哪个社区" in answer and "坪山社区" not in answer


async def test_a_place_outside_the_table_is_asked_about_never_guessed(agent):
    answer = await say(agent, "o3", "迎春社区明天停不停电")
    assert "暂未找到“迎春社区”" in answer and "坪山社区" not in answer


@pytest.mark.parametrize("words,advice", [
    ("停电了，表箱那边还在冒烟，几点能恢复", "远离"),
    ("小区停电了，电梯里还关着人", "警铃"),
    ("门口的电线被风刮断了掉在地上", "远离断落的电线"),
])
async def test_danger_outside_the_repair_flow_gets_advice_first(agent, words, advice):
    sender = "h-" + words[:4]
    await say(agent, sender, "你好")  # the privacy notice comes with the first answer
    answer = await say(agent, sender, words)
    assert advice in answer.split("\n")[0]  # the advice comes first
    assert "户号" not in answer and "是否有电线断落" not in answer
    if "需要现在为您报修吗" in answer:  # offered outside the repair flow: accepting it starts the repair
        answer = await say(agent, sender, "需要")
    assert "地址" in answer and "危险情况" not in answer  # the danger already named is not asked again


async def test_identity_then_an_outage_question_about_another_place(agent):
    await say(agent, "i1", "我想查下电费")
    await say(agent, "i1", "3301234567890")
    assert "尾号7890" in await say(agent, "i1", "5678")
    answer = await say(agent, "i1", "下姜村明天停电吗")
    assert "淳安县下姜村" in answer and "尾号7890所在区域" not in answer


async def test_nothing_more_ends_the_conversation_politely(agent):
    await say(agent, "e1", "谢谢")
    assert "再见" in await say(agent, "e1", "没有了")


async def test_switching_task_inside_a_form_is_confirmed(agent, platform):
    await say(agent, "s1", "我要投诉")
    assert "什么时间" in await say(agent, "s1", "营业厅的人把我户号登记错了还不承认")
    asked = await say(agent, "s1", "先帮我查一下这个月电费")
    assert "是否先为您查询电费" in asked
    assert "户号" in await say(agent, "s1", "是的")
    assert await tickets(platform) == []


async def test_thanks_inside_a_form_is_not_stored(agent):
    await say(agent, "t1", "我要投诉")
    await say(agent, "t1", "抄表员把读数抄错了多收了我钱")
    answer = await say(agent, "t1", "好的谢谢")
    assert "不客气" in answer and "什么时间" in answer  # the question is asked again


async def test_the_tariff_example_through_the_identity_check(agent, platform):
    await add_bills(platform, "3301234567890", [("2026-02", 300, "161.40", "161.40", date(2026, 3, 15))])
    assert "户号" in await say(agent, "p1", "电价是怎么算的")
    assert "后4位" in await say(agent, "p1", "3301234567890")
    assert "合计161.40元" in await say(agent, "p1", "5678")


async def test_an_empty_opener_is_asked_about_and_one_part_of_the_read_back_corrected(agent, platform):
    assert "发生了什么" in await say(agent, "k1", "我要投诉你们的工作人员")
    assert "什么时间" in await say(agent, "k1", "抄表员上门时骂人，态度非常恶劣")
    await say(agent, "k1", "上周三下午")
    await say(agent, "k1", "就在我家楼下")
    await say(agent, "k1", "希望他当面道歉")
    read_back = await say(agent, "k1", "13900001111")
    assert "抄表员上门时骂人" in read_back and "上周三下午" in read_back
    assert "什么时间" in await say(agent, "k1", "时间不对")
    again = await say(agent, "k1", "上周四上午")
    assert "上周四上午" in again and "抄表员上门时骂人" in again and "希望他当面道歉" in again
    assert "您的投诉已受理" in await say(agent, "k1", "确认")
    [ticket] = await tickets(platform)
    assert "上周四上午" in ticket.description and "上周三" not in ticket.description
