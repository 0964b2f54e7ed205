"""The satisfaction survey in a conversation (backend/router/survey_turns.py, backend/surveys.py):
offered once when a served chat ends, the next line taken as the answer and never sent to the
assistant, a way out, one answer whatever is resent, comments capped and masked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import Message, Survey
from backend.router.survey_turns import COMMENT, DONE, RATE, stage_of
from backend.web import survey_wording as say
from glossary import wording
from tests.backend.router.conftest import SERVICE
from tests.backend.units_fixture import seed_units

GOODBYE = {"name": "goodbye", "confidence": 0.97}
THANK = {"name": "thank", "confidence": 0.95}


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def surveys_of(platform, conversation_id: str) -> list[Survey]:
    async with platform.sessions() as session:
        return list((await session.scalars(select(Survey).where(Survey.conversation_id == conversation_id)
                                           .order_by(Survey.id))).all())


async def served_then_goodbye(router, fake_rasa, channel: str, external_id: str):
    """A customer asks something, then says goodbye: the replies of the goodbye turn."""
    conversation = await router.open(channel, external_id)
    await router.handle_customer_message(conversation, "我家停电了")
    fake_rasa.intent = GOODBYE
    return conversation, await router.handle_customer_message(conversation, "好的，谢谢，再见")


async def test_goodbye_after_a_served_request_offers_the_survey_once(router, fake_rasa, platform, units):
    conversation, replies = await served_then_goodbye(router, fake_rasa, "web", "s-1")
    offer = replies[-1]
    assert stage_of(offer) == RATE and offer.text == say.CHAT_OFFER["web"] and offer.line_id
    [survey] = await surveys_of(platform, conversation.id)
    assert (survey.subject, survey.channel, survey.unit_id, survey.awaiting) == ("conversation", "web", "33", "rating")
    assert survey.line_id == offer.line_id and survey.rating is None
    fake_rasa.intent = THANK  # thanks again in the same chat: asked once
    again = await router.handle_customer_message(conversation, "谢谢")
    assert all(stage_of(r) is None for r in again) and len(await surveys_of(platform, conversation.id)) == 1


async def test_no_survey_for_a_chat_without_a_request_or_inside_a_form(router, fake_rasa, platform, units):
    conversation = await router.open("web", "s-2")
    fake_rasa.intent = {"name": "greet", "confidence": 0.9}
    await router.handle_customer_message(conversation, "你好")
    fake_rasa.intent = GOODBYE
    assert all(stage_of(r) is None for r in await router.handle_customer_message(conversation, "再见"))
    other = await router.open("web", "s-3")
    fake_rasa.intent = {"name": "report_fault", "confidence": 0.9}
    await router.handle_customer_message(other, "报修")
    fake_rasa.active_loop, fake_rasa.intent = "repair_form", THANK
    assert all(stage_of(r) is None for r in await router.handle_customer_message(other, "谢谢"))
    assert await surveys_of(platform, conversation.id) == [] and await surveys_of(platform, other.id) == []


async def test_the_next_line_is_the_rating_and_never_reaches_the_assistant(router, fake_rasa, platform, units):
    conversation, _ = await served_then_goodbye(router, fake_rasa, "web", "s-4")
    sent = len(fake_rasa.received)
    turn = await router.handle_customer_turn(conversation, "1")
    assert len(fake_rasa.received) == sent  # not sent to Rasa
    [reply] = turn.replies
    assert stage_of(reply) == COMMENT and reply.text == say.ASK_COMMENT["web"]
    [survey] = await surveys_of(platform, conversation.id)
    assert (survey.rating, survey.answered_at, survey.awaiting) == ("satisfied", platform.clock(), "comment")
    # The web page has its own comment box: a typed line goes to the assistant as usual.
    await router.handle_customer_message(conversation, "还有电费怎么查")
    assert fake_rasa.messages()[-1] == "还有电费怎么查"
    box = await router.handle_customer_message(conversation, f"/survey {survey.id} comment 抢修师傅很及时，电话13812345678")
    assert box[0].text == say.COMMENT_THANKS and stage_of(box[0]) == DONE
    [survey] = await surveys_of(platform, conversation.id)
    assert survey.comment == "抢修师傅很及时，电话138****5678"  # stored masked
    assert fake_rasa.messages()[-1] == "还有电费怎么查"  # the comment never reached Rasa


async def test_any_other_line_is_the_way_out_and_goes_to_the_assistant(router, fake_rasa, platform, units):
    conversation, _ = await served_then_goodbye(router, fake_rasa, "wechat", "s-5")
    fake_rasa.intent = {"name": "query_bill", "confidence": 0.9}
    await router.handle_customer_message(conversation, "我想再问下电费")
    assert fake_rasa.messages()[-1] == "我想再问下电费"
    [survey] = await surveys_of(platform, conversation.id)
    assert survey.awaiting is None and survey.rating is None  # lapsed, unanswered
    await router.handle_customer_message(conversation, "1")
    assert fake_rasa.messages()[-1] == "1"  # a digit is ordinary text again


async def test_wechat_rating_then_comment_by_the_next_line_cut_and_masked(router, fake_rasa, platform, units):
    conversation, replies = await served_then_goodbye(router, fake_rasa, "wechat", "s-6")
    assert replies[-1].text == say.CHAT_OFFER["wechat"] and "1 满意" in replies[-1].text
    [rated] = await router.handle_customer_message(conversation, "３")  # a full-width key
    limit = platform.rules.survey.comment_max_chars
    assert rated.text == say.ASK_COMMENT_DISSATISFIED["wechat"].format(limit=limit)
    [thanks] = await router.handle_customer_message(conversation, "等了太久" * 200 + "13812345678")
    assert thanks.text == say.COMMENT_THANKS
    [survey] = await surveys_of(platform, conversation.id)
    assert survey.rating == "dissatisfied" and len(survey.comment) == limit and survey.awaiting is None
    sent = len(fake_rasa.received)
    await router.handle_customer_message(conversation, "还有一个问题")
    assert len(fake_rasa.received) == sent + 1  # after the comment, lines are the customer's again


async def test_wechat_zero_skips_the_comment(router, fake_rasa, platform, units):
    conversation, _ = await served_then_goodbye(router, fake_rasa, "wechat", "s-7")
    await router.handle_customer_message(conversation, "满意")
    [skipped] = await router.handle_customer_message(conversation, "0")
    assert skipped.text == say.SKIPPED
    [survey] = await surveys_of(platform, conversation.id)
    assert (survey.rating, survey.comment, survey.awaiting) == ("satisfied", None, None)


async def test_a_repeated_answer_writes_once_and_bad_answers_write_nothing(router, fake_rasa, platform, units):
    conversation, _ = await served_then_goodbye(router, fake_rasa, "web", "s-8")
    [survey] = await surveys_of(platform, conversation.id)
    [bad] = await router.handle_customer_message(conversation, f"/survey {survey.id} rate 5")
    assert bad.text == say.LINK_REFUSALS["rating"]
    assert (await surveys_of(platform, conversation.id))[0].rating is None
    first = await router.handle_customer_message(conversation, f"/survey {survey.id} rate basically_satisfied")
    again = await router.handle_customer_message(conversation, f"/survey {survey.id} rate dissatisfied")
    assert stage_of(first[0]) == COMMENT and again[0].text == say.ALREADY_ANSWERED
    limit = platform.rules.survey.comment_max_chars
    [long] = await router.handle_customer_message(conversation, f"/survey {survey.id} comment " + "长" * (limit + 1))
    assert long.text == say.COMMENT_TOO_LONG.format(limit=limit)
    await router.handle_customer_message(conversation, f"/survey {survey.id} comment 很好")
    await router.handle_customer_message(conversation, f"/survey {survey.id} comment 改主意了")
    [survey] = await surveys_of(platform, conversation.id)
    assert (survey.rating, survey.comment) == ("basically_satisfied", "很好")
    other = await router.open("web", "s-9")  # another customer's page naming this survey
    [refused] = await router.handle_customer_message(other, f"/survey {survey.id} rate dissatisfied")
    assert refused.text == say.OFFER_OVER
    assert not any("/survey" in m for m in fake_rasa.messages())


async def test_an_agent_closing_the_chat_offers_the_survey_after_the_goodbye(backend, router, agents, platform,
                                                                             fake_rasa):
    conversation = await router.open("web", "s-10")
    await router.handle_customer_message(conversation, "转人工")
    assert (await backend.post(f"/api/conversations/{conversation.id}/claim", headers=agents["agent1"])).status == 200
    assert (await backend.post(f"/api/conversations/{conversation.id}/close", headers=agents["agent1"])).status == 200
    async with platform.sessions() as session:
        pending = (await session.scalars(select(Message).where(
            Message.conversation_id == conversation.id, Message.awaiting_delivery.is_(True))
            .order_by(Message.seq))).all()
    assert [m.text for m in pending][-2:] == [wording.CLOSED[0], say.CHAT_OFFER["web"]]
    await router.outbox.take_pending(conversation.id)  # the page (re)connects: both lines delivered
    sent = len(fake_rasa.received)
    [rated] = (await router.handle_customer_turn(conversation, "2")).replies[-1:]
    assert stage_of(rated) == COMMENT and len(fake_rasa.received) == sent
    detail = await (await backend.get(f"/api/conversations/{conversation.id}", headers=SERVICE)).json()
    assert detail["state"] == "closed"  # a rating does not reopen the chat
    [survey] = await surveys_of(platform, conversation.id)
    assert survey.rating == "basically_satisfied"


async def test_a_line_before_the_question_was_delivered_is_no_answer(backend, router, agents, platform, fake_rasa):
    conversation = await router.open("wechat", "s-11")
    await router.handle_customer_message(conversation, "转人工")
    await backend.post(f"/api/conversations/{conversation.id}/claim", headers=agents["agent1"])
    await backend.post(f"/api/conversations/{conversation.id}/close", headers=agents["agent1"])
    # WeChat's window allowed no send: the closing lines wait; the customer's "1" is not their answer.
    turn = await router.handle_customer_turn(conversation, "1")
    assert fake_rasa.messages()[-1] == "1"
    texts = [r.text for r in turn.replies]
    assert texts.index(wording.CLOSED[0]) + 1 == texts.index(say.CHAT_OFFER["wechat"])
    [survey] = await surveys_of(platform, conversation.id)
    assert survey.rating is None and survey.awaiting == "rating"  # the question has reached them now
    await router.handle_customer_message(conversation, "1")
    assert (await surveys_of(platform, conversation.id))[0].rating == "satisfied"


async def test_a_served_chat_left_idle_is_offered_once_and_not_in_a_form(router, fake_rasa, platform, clock, units):
    conversation = await router.open("web", "s-12")
    await router.handle_customer_message(conversation, "我家停电了")
    assert not await router.surveys.offer_when_idle(conversation)  # not idle yet
    clock.advance(minutes=platform.rules.survey.idle_minutes)
    fake_rasa.active_loop = "repair_form"
    assert not await router.surveys.offer_when_idle(conversation)  # left in the middle of a form
    fake_rasa.active_loop = None
    assert await router.surveys.offer_when_idle(conversation)
    assert not await router.surveys.offer_when_idle(conversation)  # once per chat
    [offer] = await router.outbox.take_pending(conversation.id)
    assert offer.text == say.CHAT_OFFER["web"]
    greeted = await router.open("web", "s-13")
    fake_rasa.intent = {"name": "greet", "confidence": 0.9}
    await router.handle_customer_message(greeted, "你好")
    clock.advance(minutes=platform.rules.survey.idle_minutes)
    assert not await router.surveys.offer_when_idle(greeted)  # nothing was asked: nothing to rate
