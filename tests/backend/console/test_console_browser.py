"""The console in a real browser (Debian's Chromium through Playwright), three people at once:
a customer on /chat, agent1 and agent2 on /console, against a live backend and the fake Rasa.

Skips (with the reason) only when no chromium exists; under CI=1 that fails instead.
"""
from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from backend.console import wording as say
from backend.console.feed import FEED_STOP
from backend.router import ROUTER
from glossary import wording
from tests.backend.console.conftest import DESK, PASSWORD, seed_staff
from tests.backend.router.conftest import SERVICE
from tests.backend.web.chat_fixtures import phone_page, require_chromium, watched_page
from tests.backend.web.test_chat_browser import BOT_HELLO, say_to_chat, wait_for_count

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def desk_page(browser, base: str, username: str):
    """A new agent's browser (its own context: no shared cookies), logged in through /console/login."""
    page = await watched_page(browser, DESK)
    await page.goto(base + "/console")
    assert page.url.endswith("/console/login")  # no session yet: sent to the login page
    await page.fill("#username", username)
    await page.fill("#password", "wrong")
    await page.click("#submit")
    await page.wait_for_selector("#error:has-text('用户名或密码不正确')")
    page.problems.clear()  # the browser logs the refused login's 401 itself
    await page.fill("#password", PASSWORD.format(username=username))
    await page.press("#password", "Enter")
    await page.wait_for_url(base + "/console")
    await page.wait_for_selector("#live[data-state='live']")
    return page


async def test_an_agent_takes_a_chat_over_live_and_hands_it_back(browser, live_chat, fake_rasa, platform):
    platform.rules = replace(platform.rules, console=replace(platform.rules.console, poll_seconds=0.2))
    await seed_staff(platform)
    agent1 = await desk_page(browser, live_chat.url, "agent1")
    assert "李客服" in await agent1.text_content("header.top")
    assert await agent1.get_attribute(f"header.top nav a:has-text('{say.NAV_DASHBOARD}')", "href") == "/console/dashboard"

    customer = await phone_page(browser)
    await customer.goto(live_chat.url + "/chat")
    await customer.click("#privacy-ok")
    await customer.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(customer, "转人工")
    await customer.wait_for_selector("#status[data-state='waiting_agent']")

    # The waiting conversation appears in agent1's queue without a reload.
    entry = "#list button.state-waiting_agent"
    await agent1.wait_for_selector(entry)
    assert say.REASONS["request_human"] in await agent1.text_content(entry)
    assert "第1位" in await agent1.text_content(entry)
    agent2 = await desk_page(browser, live_chat.url, "agent2")
    await agent2.click(entry)
    await agent1.click(entry)
    await agent1.wait_for_selector("#lines .line.customer .bubble:has-text('转人工')")
    assert "识别意图" in await agent1.text_content("#lines .line.customer .intent")
    await agent1.click("#claim")
    await agent1.wait_for_selector("#conv-state:has-text('人工接待中')")

    # agent2 had it open too: a claim now is refused in words.
    await agent2.click("#claim")
    await agent2.wait_for_selector("#error:has-text('已由其他客服接入')")
    assert await agent2.is_disabled("#reply")
    assert [p for p in agent2.problems if "409 (Conflict)" not in p] == []  # the browser logs the refusal
    agent2.problems.clear()

    # agent1's reply reaches the customer's page.
    await customer.wait_for_selector("#status[data-state='agent']")
    await agent1.fill("#reply", "您好，我是人工客服，请问您家停电多久了？")
    await agent1.press("#reply", "Enter")
    await wait_for_count(customer, "您好，我是人工客服，请问您家停电多久了？", 1)
    await agent1.wait_for_selector("#lines .line.agent .label:has-text('人工客服（我）')")

    # The customer's next line reaches agent1, and never the assistant, even when it comes
    # while agent1's live feed is down (the server stopped it): the page reconnects and re-syncs.
    received = fake_rasa.messages()
    live_chat.app[FEED_STOP].set()
    await agent1.wait_for_selector("#live[data-state='offline']")
    live_chat.app[FEED_STOP].clear()
    assert say.LIVE["offline"] in await agent1.text_content("#live")
    await say_to_chat(customer, "已经停了两个小时了")
    await agent1.wait_for_selector("#live[data-state='live']")
    await agent1.wait_for_selector("#lines .line.customer .bubble:has-text('已经停了两个小时了')")
    assert fake_rasa.messages() == received

    # Back to the assistant: the customer is told, and the next message is the bot's again.
    await agent1.click("#release")
    await agent1.wait_for_selector("#conv-state:has-text('智能客服接待中')")
    await wait_for_count(customer, wording.BACK_TO_ASSISTANT[0], 1)
    await say_to_chat(customer, "我家停电了")
    await wait_for_count(customer, BOT_HELLO, 1)
    assert fake_rasa.messages() == [*received, "我家停电了"]
    assert agent1.problems == [] and agent2.problems == [] and customer.problems == []


async def test_a_hotline_call_shows_its_transfer_context_and_moves_to_another_agent(
        browser, live_chat, fake_rasa, platform):
    platform.rules = replace(platform.rules, console=replace(platform.rules.console, poll_seconds=0.2))
    await seed_staff(platform)
    fake_rasa.active_loop, fake_rasa.slots = "repair_form", {"account_no": "3301234567890"}
    router = live_chat.app[ROUTER]
    call = await router.open("ivr", "call-console-1")
    await router.handle_customer_message(call, "我家停电了")
    async with aiohttp.ClientSession() as http:
        await http.post(live_chat.url + "/api/conversations/handoffs", headers=SERVICE,
                        json={"channel": "ivr", "sender_id": call.id, "reason": "ivr_no_input"})
    fake_rasa.status = 500  # the assistant is down: assist says so, the rest works
    agent1 = await desk_page(browser, live_chat.url, "agent1")
    await agent1.select_option("#channel", "ivr")
    await agent1.click("#list button.state-waiting_agent")
    await agent1.wait_for_selector("#customer-extra:has-text('热线转接信息')")
    extra = await agent1.text_content("#customer-extra")
    assert "repair_form" in extra and "户号：" in extra and "3301234567890" not in extra
    await agent1.wait_for_selector(f"#suggestion:has-text('{say.ASSISTANT_DOWN}')")
    assert say.REASONS["ivr_no_input"] in await agent1.text_content("#customer-info")
    await agent1.click("#claim")
    await agent1.wait_for_selector("#conv-state:has-text('接待人：我')")
    await agent1.fill("#transfer-to", "agent2")
    await agent1.press("#transfer-to", "Enter")
    await agent1.wait_for_selector("#conv-state:has-text('接待人：agent2')")
    assert await agent1.is_disabled("#reply")
    await agent1.wait_for_selector("#lines .line.system .bubble:has-text('转给agent2')")
    agent2 = await desk_page(browser, live_chat.url, "agent2")
    await agent2.click("#tabs [data-queue='mine']")
    await agent2.click(f"#list button[data-id='{call.id}']")
    await agent2.wait_for_selector("#conv-state:has-text('接待人：我')")
    assert await agent2.is_enabled("#reply")
    assert agent1.problems == [] and agent2.problems == []
