"""WeChat's satisfaction survey end to end: the question in the passive reply (or a customer-service
message within the window), a digit as the rating, the next message as the comment, WeChat's
resends writing once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import Survey
from backend.web import survey_wording as words
from glossary import wording
from tests.backend.channels.wechat_fixtures import conversation_of, push, say, text_xml
from tests.backend.units_fixture import seed_units


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def survey_of(platform) -> Survey:
    conversation = await conversation_of(platform)
    async with platform.sessions() as session:
        return await session.scalar(select(Survey).where(Survey.conversation_id == conversation.id))


async def test_goodbye_rating_by_digit_comment_by_message_and_resends_write_once(wx, fake_rasa, platform, units):
    fake_rasa.replies = [{"text": "好的，已为您查询。"}]
    await say(wx, "查一下停电", "31000000000000001")
    fake_rasa.intent, fake_rasa.replies = {"name": "thank", "confidence": 0.96}, [{"text": "不客气。"}]
    reply = await say(wx, "谢谢", "31000000000000002")
    assert reply == "不客气。\n\n" + words.CHAT_OFFER["wechat"]
    sent = len(fake_rasa.received)
    rated = await say(wx, "2", "31000000000000003")
    limit = platform.rules.survey.comment_max_chars
    assert rated == words.ASK_COMMENT["wechat"].format(limit=limit)
    status, body = await push(wx, text_xml("2", "31000000000000003"))  # WeChat resends the same MsgId
    assert status == 200 and words.ASK_COMMENT["wechat"].format(limit=limit) in body
    thanks = await say(wx, "希望抢修再快一点，我电话13812345678", "31000000000000004")
    assert thanks == words.COMMENT_THANKS
    assert len(fake_rasa.received) == sent  # neither the rating nor the comment reached the assistant
    survey = await survey_of(platform)
    assert (survey.rating, survey.comment) == ("basically_satisfied", "希望抢修再快一点，我电话138****5678")
    async with platform.sessions() as session:
        assert len((await session.scalars(select(Survey))).all()) == 1


async def test_an_agents_close_sends_the_survey_through_the_customer_service_api(wx, fake_rasa, fake_wechat,
                                                                                 platform, agents):
    await say(wx, "转人工", "31000000000000011")
    conversation = await conversation_of(platform)
    assert (await wx.post(f"/api/conversations/{conversation.id}/claim", headers=agents["agent1"])).status == 200
    await wx.post(f"/api/conversations/{conversation.id}/messages", headers=agents["agent1"],
                  json={"text": "您好，问题已为您处理。"})
    assert (await wx.post(f"/api/conversations/{conversation.id}/close", headers=agents["agent1"])).status == 200
    assert fake_wechat.contents()[-1] == wording.CLOSED[0] + "\n\n" + words.CHAT_OFFER["wechat"]
    assert len(fake_wechat.sent) == 3  # claim notice, agent line, close + survey: three of the window's sends
    assert await say(wx, "1", "31000000000000012") == words.ASK_COMMENT["wechat"].format(
        limit=platform.rules.survey.comment_max_chars)
    assert (await survey_of(platform)).rating == "satisfied"
