"""The chat page's satisfaction survey in Debian's Chromium: the ratings as buttons under the question,
the optional comment box, a reload that shows the state kept, a double click that rates once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import Survey
from backend.web import chat_socket
from backend.web import survey_wording as words
from tests.backend.units_fixture import seed_units
from tests.backend.web.chat_fixtures import phone_page, require_chromium
from tests.backend.web.test_chat_browser import BOT_HELLO, say_to_chat, settled, until_true, wait_for_count

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
FAREWELL = "不客气，祝您生活愉快！"


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def the_survey(platform) -> Survey:
    async with platform.sessions() as session:
        return await session.scalar(select(Survey))


async def served_chat(browser, live_chat, platform, first: str):
    """A phone page past the privacy notice, after one served request (the fake's answer shown)."""
    await seed_units(platform)
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.click("#privacy-ok")
    await page.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(page, first)
    await wait_for_count(page, BOT_HELLO, 1)
    return page


async def test_rating_buttons_then_the_comment_box_and_the_state_after_a_reload(browser, live_chat, fake_rasa,
                                                                                 platform):
    page = await served_chat(browser, live_chat, platform, "我家停电了")
    fake_rasa.intent, fake_rasa.replies = {"name": "thank", "confidence": 0.96}, [{"text": FAREWELL}]
    await say_to_chat(page, "好的谢谢")
    await page.wait_for_selector(".survey[data-state='rate'] button:has-text('基本满意')")
    assert words.CHAT_OFFER["web"] in await page.text_content("#lines")
    names = await page.eval_on_selector_all(".survey .ratings button", "els => els.map(e => e.textContent)")
    assert names == ["满意", "基本满意", "不满意"]
    await page.dblclick(".survey .ratings button:has-text('基本满意')")  # a double click rates once
    await page.wait_for_selector(".survey[data-state='comment'] textarea")
    await settled(page)
    assert words.ASK_COMMENT["web"] in await page.text_content("#lines")
    assert await page.text_content(".survey .rated") == words.DONE.format(rating="基本满意")
    assert await page.eval_on_selector_all(".survey", "els => els.length") == 1
    sent = len(fake_rasa.received)

    await page.reload()  # the comment box comes back with the survey's state
    await page.wait_for_selector(".survey[data-state='comment'] textarea")
    await page.fill(".survey textarea", "抢修很及时，我的电话13812345678")
    await page.click(".survey .send")
    await page.wait_for_selector(".survey[data-state='done']")
    await until_true(page, "t => document.getElementById('lines').textContent.includes(t)", words.COMMENT_THANKS)
    assert await page.query_selector(".survey textarea") is None  # done: the box is gone
    await page.screenshot(path="/tmp/B-chat-survey.png")
    survey = await the_survey(platform)
    assert (survey.rating, survey.comment) == ("basically_satisfied", "抢修很及时，我的电话138****5678")
    assert len(fake_rasa.received) == sent  # neither the rating nor the comment went to the assistant
    assert not any(m.startswith("/survey") for m in fake_rasa.messages())
    assert "/survey" not in await page.text_content("#lines")
    assert page.problems == []


async def test_skip_closes_the_comment_box(browser, live_chat, fake_rasa, platform):
    page = await served_chat(browser, live_chat, platform, "查电费")
    fake_rasa.intent, fake_rasa.replies = {"name": "goodbye", "confidence": 0.96}, [{"text": FAREWELL}]
    await say_to_chat(page, "再见")
    await page.click(".survey .ratings button:has-text('不满意')")
    await page.wait_for_selector(".survey[data-state='comment']")
    assert words.ASK_COMMENT_DISSATISFIED["web"] in await page.text_content("#lines")
    await page.click(".survey .skip")
    await page.wait_for_selector(".survey[data-state='done']")
    await until_true(page, "t => document.getElementById('lines').textContent.includes(t)", words.SKIPPED)
    survey = await the_survey(platform)
    assert (survey.rating, survey.comment, survey.awaiting) == ("dissatisfied", None, None)
    assert page.problems == []


async def test_a_page_left_open_after_a_served_chat_gets_the_survey(browser, live_chat, fake_rasa, platform, clock,
                                                                   monkeypatch):
    await seed_units(platform)
    monkeypatch.setattr(chat_socket, "QUEUE_REFRESH_SECONDS", 0.2)
    monkeypatch.setattr(chat_socket, "IDLE_CHECK_EVERY", 1)
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.click("#privacy-ok")
    await page.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(page, "我家停电了")
    await wait_for_count(page, BOT_HELLO, 1)
    await settled(page)
    clock.advance(minutes=platform.rules.survey.idle_minutes)  # the customer has gone quiet
    await page.wait_for_selector(".survey[data-state='rate'] button:has-text('满意')")
    await page.click(".survey .ratings button:has-text('满意') >> nth=0")
    await page.wait_for_selector(".survey[data-state='comment']")
    assert (await the_survey(platform)).rating == "satisfied"
    assert page.problems == []
