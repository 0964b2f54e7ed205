"""The hotline's satisfaction survey: said at the end of a call, one DTMF key, thanks and hangup;
a repeated seq writes nothing twice; silence ends the call with the offer unanswered."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import Survey
from backend.web import survey_wording as say
from glossary import wording
from tests.backend.channels.test_ivr import conversation_of, kinds, said, turn
from tests.backend.router.conftest import SERVICE
from tests.backend.units_fixture import seed_units


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def survey_of(platform, conversation_id: str) -> Survey | None:
    async with platform.sessions() as session:
        return await session.scalar(select(Survey).where(Survey.conversation_id == conversation_id))


def listens_for_one_key(answer: dict, platform) -> bool:
    listen = answer["actions"][-1].get("listen")
    return listen == {"timeout_ms": platform.rules.survey.ivr_listen_ms,
                      "dtmf": {"max_digits": 1, "terminator": "#"}}


async def served_call_says_goodbye(backend, fake_rasa, call_id: str) -> dict:
    await turn(backend, call_id, 0, "start")
    await turn(backend, call_id, 1, "text", text="查一下电费")
    fake_rasa.intent = {"name": "goodbye", "confidence": 0.97}
    fake_rasa.replies = [{"text": "感谢您的来电。"}]
    return await turn(backend, call_id, 2, "text", text="没别的事了，再见")


async def test_a_goodbye_after_a_served_request_asks_for_one_key(backend, fake_rasa, platform, units):
    answer = await served_call_says_goodbye(backend, fake_rasa, "sv-1")
    assert said(answer) == ["感谢您的来电。", say.CHAT_OFFER["ivr"]]
    assert listens_for_one_key(answer, platform)
    sent = len(fake_rasa.received)
    rated = await turn(backend, "sv-1", 3, "dtmf", digits="3#")
    assert said(rated) == [say.RATED_BY_PHONE_DISSATISFIED] and kinds(rated)[-1] == "hangup"
    assert len(fake_rasa.received) == sent  # the key never reached the assistant
    again = await turn(backend, "sv-1", 3, "dtmf", digits="3#")  # the IVR retries the same seq
    assert again == rated
    conversation = await conversation_of(platform, "sv-1")
    survey = await survey_of(platform, conversation.id)
    assert (survey.rating, survey.comment, survey.awaiting, survey.channel) == ("dissatisfied", None, None, "ivr")


async def test_silence_at_the_survey_ends_the_call_unanswered(backend, fake_rasa, platform, units):
    await served_call_says_goodbye(backend, fake_rasa, "sv-2")
    answer = await turn(backend, "sv-2", 3, "no_input")
    assert said(answer) == [say.PHONE_GOODBYE] and kinds(answer) == ["say", "hangup"]
    conversation = await conversation_of(platform, "sv-2")
    survey = await survey_of(platform, conversation.id)
    assert survey.rating is None and survey.awaiting is None


async def test_another_key_at_the_survey_goes_on_as_any_turn(backend, fake_rasa, platform, units):
    await served_call_says_goodbye(backend, fake_rasa, "sv-3")
    fake_rasa.intent, fake_rasa.replies = {"name": "inform", "confidence": 0.8}, [{"text": "请问还有什么可以帮您？"}]
    answer = await turn(backend, "sv-3", 3, "dtmf", digits="9#")
    assert fake_rasa.messages()[-1] == "9" and kinds(answer)[-1] == "listen"
    conversation = await conversation_of(platform, "sv-3")
    assert (await survey_of(platform, conversation.id)).rating is None


async def test_after_an_agent_closes_the_call_the_survey_follows_the_goodbye(backend, platform, units):
    await turn(backend, "sv-4", 1, "start")
    conversation = await conversation_of(platform, "sv-4")
    await backend.post(f"/api/conversations/{conversation.id}/claim", headers=SERVICE)
    await turn(backend, "sv-4", 2, "text", text="我要投诉")  # the caller speaks to the agent
    await backend.post(f"/api/conversations/{conversation.id}/close", headers=SERVICE)
    answer = await turn(backend, "sv-4", 3, "no_input")
    assert said(answer)[-2:] == [wording.CLOSED[1], say.CHAT_OFFER["ivr"]]
    assert listens_for_one_key(answer, platform)
    rated = await turn(backend, "sv-4", 4, "dtmf", digits="1")
    assert said(rated) == [say.RATED_BY_PHONE] and kinds(rated)[-1] == "hangup"
    assert (await survey_of(platform, conversation.id)).rating == "satisfied"


async def test_a_call_the_caller_hung_up_gets_no_survey(backend, fake_rasa, platform, units):
    await turn(backend, "sv-5", 0, "start")
    await turn(backend, "sv-5", 1, "text", text="查一下电费")
    await turn(backend, "sv-5", 2, "hangup")
    conversation = await conversation_of(platform, "sv-5")
    assert await survey_of(platform, conversation.id) is None
