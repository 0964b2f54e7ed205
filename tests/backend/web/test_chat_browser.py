"""The web chat in a real browser: Debian's Chromium driven by Playwright (never Playwright's
own download), on a live backend that asks the router tests' fake Rasa.

Skips (with the reason) only when no chromium exists; under CI=1 that fails instead.
"""
from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from backend.models import Conversation
from backend.web import chat_wording as say
from backend.web.chat_socket import SOCKETS
from tests.assistant_fixtures import free_port
from tests.backend.web.chat_fixtures import phone_page, require_chromium

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
BOT_HELLO = "您好，请问是哪里停电了？"
LINES = "#lines > li"


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def no_horizontal_scroll(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= 390 && document.body.scrollWidth <= 390")


async def line_texts(page) -> list[str]:
    return await page.eval_on_selector_all(f"{LINES} .bubble", "els => els.map(e => e.textContent)")


async def line_ids(page) -> list[str]:
    return await page.eval_on_selector_all(f"{LINES}[data-line-id]", "els => els.map(e => e.dataset.lineId)")


async def until_true(page, expression: str, arg: object = None, timeout: float = 15.0) -> None:
    """Poll an expression with page.evaluate (page.wait_for_function evals in the page, which its CSP forbids)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await page.evaluate(expression, arg):
        assert asyncio.get_running_loop().time() < deadline, f"still false after {timeout}s: {expression}"
        await asyncio.sleep(0.05)


async def wait_for_count(page, text: str, count: int) -> None:
    await until_true(page, "([text, count]) => [...document.querySelectorAll('#lines .bubble')]"
                           ".filter(e => e.textContent === text).length === count", [text, count])


async def settled(page) -> None:
    """Nothing pending: every line the customer typed has its answer."""
    await until_true(page, "() => document.querySelectorAll('#lines li[data-message-id]:not([data-line-id])')"
                           ".length === 0 && document.getElementById('typing').hidden")


async def say_to_chat(page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def test_the_chat_answers_and_the_history_comes_back_after_a_reload(browser, live_chat, fake_rasa):
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    assert await page.is_visible("#privacy")
    assert say.PRIVACY in await page.text_content("#privacy")
    await page.click("#privacy-ok")
    assert await page.evaluate("document.activeElement.id") == "input"
    await page.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(page, "我家停电了")
    await wait_for_count(page, BOT_HELLO, 1)
    await settled(page)
    assert await page.is_visible("#lines .quick button:has-text('查电费')")
    assert await no_horizontal_scroll(page)
    before_texts, before_ids = await line_texts(page), await line_ids(page)
    assert before_texts[:2] == ["我家停电了", BOT_HELLO]
    await page.reload()
    await page.wait_for_selector("#status[data-state='bot']")
    await wait_for_count(page, BOT_HELLO, 1)
    assert await line_texts(page) == before_texts
    assert await line_ids(page) == before_ids and len(set(before_ids)) == len(before_ids)
    assert await page.is_hidden("#privacy")  # read once
    assert await page.is_visible("#lines .quick span:has-text('查电费')")  # restored options are not live buttons
    assert fake_rasa.messages() == ["我家停电了"]
    assert await no_horizontal_scroll(page)
    assert page.problems == []


async def test_a_quick_reply_sends_its_payload_and_shows_its_title(browser, live_chat, fake_rasa):
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(page, "你好")
    await page.click("#lines .quick button:has-text('我家停电')")
    await wait_for_count(page, BOT_HELLO, 2)
    await settled(page)
    assert fake_rasa.messages() == ["你好", "/report_outage"]
    assert "我家停电" in await line_texts(page) and "/report_outage" not in await line_texts(page)
    assert await page.is_disabled("#lines .quick button:has-text('我家停电') >> nth=0")
    assert page.problems == []


async def test_a_message_typed_while_the_server_dropped_the_socket_is_sent_once(
        browser, live_chat, fake_rasa, platform):
    rules = platform.rules.web_chat
    platform.rules = replace(platform.rules, web_chat=replace(rules, reconnect_initial_ms=4000))
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(page, "第一句")
    await wait_for_count(page, BOT_HELLO, 1)
    await settled(page)
    assert await live_chat.app[SOCKETS].close() == 1  # a restart or a network change
    await page.wait_for_selector("#status[data-state='offline']")
    marker = f"断线时写的{uuid.uuid4().hex[:6]}"
    await say_to_chat(page, marker)
    note = await page.text_content("#lines li[data-message-id] .note")
    assert note == say.NOT_SENT
    await wait_for_count(page, BOT_HELLO, 2)
    await settled(page)
    assert await page.get_attribute("#status", "data-state") == "bot"
    assert fake_rasa.messages() == ["第一句", marker]
    texts = await line_texts(page)
    assert texts.count(marker) == 1 and texts.count("第一句") == 1
    ids = await line_ids(page)
    assert len(ids) == len(set(ids)) == len(await page.query_selector_all(LINES))
    assert await page.evaluate("localStorage.getItem('95598.chat.outbox')") == "[]"


async def test_a_socket_dropped_while_rasa_is_answering_gets_the_one_answer(
        browser, live_chat, fake_rasa, platform):
    rules = platform.rules.web_chat
    platform.rules = replace(platform.rules, web_chat=replace(rules, reconnect_initial_ms=500))
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.wait_for_selector("#status[data-state='bot']")
    fake_rasa.hang = True  # the assistant takes 5 s
    await say_to_chat(page, "慢一点的问题")
    while not fake_rasa.received:
        await asyncio.sleep(0.05)
    await live_chat.app[SOCKETS].close()  # the page reconnects and resends while the turn still runs
    await wait_for_count(page, BOT_HELLO, 1)
    await settled(page)
    assert fake_rasa.messages() == ["慢一点的问题"]
    texts = await line_texts(page)
    assert texts.count("慢一点的问题") == 1 and texts.count(BOT_HELLO) == 1


async def test_keyboard_enter_sends_and_focus_is_visible(browser, live_chat, fake_rasa):
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.click("#privacy-ok")
    await page.wait_for_selector("#status[data-state='bot']")
    await page.keyboard.type("第一行")
    await page.keyboard.press("Shift+Enter")  # a new line, not a send
    await page.keyboard.type("第二行")
    assert await page.input_value("#input") == "第一行\n第二行"
    await page.keyboard.press("Enter")
    await wait_for_count(page, BOT_HELLO, 1)
    await settled(page)
    assert await page.input_value("#input") == ""
    assert "第一行\n第二行" in await line_texts(page)
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert await page.evaluate("document.activeElement.id") == "input" and outline != "none"
    # The quick replies are reachable by keyboard: Shift+Tab back from the input into the log's buttons.
    await page.focus("#lines .quick button:has-text('查电费')")
    assert await page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    await page.keyboard.press("Enter")
    await wait_for_count(page, "查电费", 1)
    await settled(page)
    assert fake_rasa.messages() == ["第一行\n第二行", "/ask_bill"]
    assert await page.get_attribute("#lines", "aria-live") == "polite"
    assert await page.get_attribute("label[for='input']", "class") == "visually-hidden"


async def test_waiting_for_an_agent_and_the_agents_words_arrive_live(browser, live_chat, fake_rasa, agents,
                                                                     platform):
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.wait_for_selector("#status[data-state='bot']")
    await say_to_chat(page, "转人工")
    await page.wait_for_selector("#status[data-state='waiting_agent']")
    assert await page.text_content("#status-text") == say.STATUS["waiting_next"]
    await settled(page)
    token = await page.evaluate("localStorage.getItem('95598.chat.token')")
    async with platform.sessions() as session:
        conversation = await session.scalar(select(Conversation).where(
            Conversation.external_id == hashlib.sha256(token.encode()).hexdigest()))
    async with aiohttp.ClientSession(base_url=live_chat.url) as http:
        claimed = await http.post(f"/api/conversations/{conversation.id}/claim", headers=agents["agent1"])
        assert claimed.status == 200
        await page.wait_for_selector("#status[data-state='agent']")
        assert await page.text_content("#status-text") == say.STATUS["agent"]
        said = await http.post(f"/api/conversations/{conversation.id}/messages", headers=agents["agent1"],
                               json={"text": "您好，我是客服小王，请问您家的地址？"})
        assert said.status == 201
    await wait_for_count(page, "您好，我是客服小王，请问您家的地址？", 1)
    agent_line = page.locator("#lines li.agent").last
    assert (await agent_line.locator(".who").text_content()) == say.SENDERS["agent"]
    assert fake_rasa.messages() == ["转人工"]
    assert page.problems == []


async def test_a_ticket_card_fits_a_small_phone(browser, live_chat, fake_rasa, platform):
    from tests.backend.units_fixture import seed_units

    await seed_units(platform)
    page = await phone_page(browser)
    await page.goto(live_chat.url + "/chat")
    await page.wait_for_selector("#status[data-state='bot']")
    token = await page.evaluate("localStorage.getItem('95598.chat.token')")
    async with platform.sessions() as session:
        conversation = await session.scalar(select(Conversation).where(
            Conversation.external_id == hashlib.sha256(token.encode()).hexdigest()))
    async with aiohttp.ClientSession(base_url=live_chat.url) as http:
        filed = await http.post("/api/tickets", headers={"Authorization": "Bearer test-token"}, json={
            "type": "fault_repair", "channel": "web", "description": "整片停电", "address": "坪山社区8幢",
            "conversation_id": conversation.id, "customer": {"phone": "13812345678"}})
        ticket = (await filed.json())["id"]
    fake_rasa.replies = [{"text": f"已为您受理故障报修，工单号{ticket}。请保持电话畅通。"}]
    await say_to_chat(page, "我家停电了，整栋楼都没电")
    card = page.locator("#lines .ticket")
    await card.wait_for()
    assert ticket in await card.text_content()
    assert "抢修人员到达现场" in await card.text_content() and "派单" not in await card.text_content()
    assert await no_horizontal_scroll(page)
    await page.set_viewport_size({"width": 320, "height": 640})
    assert await page.evaluate("document.documentElement.scrollWidth <= 320")
    box = await card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320


@pytest.fixture
async def other_site(live_chat) -> AsyncIterator[str]:
    """A plain page on another origin (another port) that embeds the chat with one script tag;
    /strict is the same page under a strict CSP that allows only the chat's script and frame."""
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>某供电所</title>'
            f'<script src="{live_chat.url}/chat/widget.js" defer></script></head>'
            f'<body><h1>某供电所便民服务</h1><p>其他网站的内容</p></body></html>')

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    async def strict(request: web.Request) -> web.Response:
        csp = f"default-src 'none'; script-src {live_chat.url}; frame-src {live_chat.url}"
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": csp})

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/strict", strict)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    yield str(server.make_url("/"))
    await server.close()


async def test_the_widget_embeds_the_chat_in_another_site(browser, live_chat, other_site, fake_rasa):
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    await page.goto(other_site)
    opener = page.locator("[data-95598-chat] button.open")
    await opener.wait_for()
    assert await opener.get_attribute("aria-label") == say.WIDGET_OPEN_LABEL
    assert await opener.get_attribute("aria-expanded") == "false"
    leaked = await page.evaluate("Object.keys(window).filter(k => /95598|chat|widget/i.test(k))")
    assert leaked == []
    assert await page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily") != ""
    await opener.click()
    assert await opener.get_attribute("aria-expanded") == "true"
    chat = page.frame_locator(f"iframe[title='{say.WIDGET_PANEL}']")
    await chat.locator("#status[data-state='bot']").wait_for()
    assert await chat.locator("header.site").is_hidden()  # the panel has its own title bar
    await chat.locator("#input").fill("你好，我想问电费")
    await chat.locator("#input").press("Enter")
    await chat.locator(f"#lines .bubble:text-is('{BOT_HELLO}')").wait_for()
    assert fake_rasa.messages() == ["你好，我想问电费"]
    await chat.locator("#input").press("Escape")  # Esc inside the chat closes the panel
    panel = page.locator("[data-95598-chat] .panel")
    await panel.wait_for(state="hidden")
    assert await page.evaluate("document.activeElement.matches('[data-95598-chat]')")  # focus back on the host
    assert await opener.get_attribute("aria-expanded") == "false"
    await opener.click()
    await page.keyboard.press("Escape")
    await panel.wait_for(state="hidden")
    assert problems == []
    await context.close()


async def test_the_widget_panel_is_full_screen_on_a_phone(browser, live_chat, other_site):
    page = await phone_page(browser)
    await page.goto(other_site)
    await page.locator("[data-95598-chat] button.open").click()
    box = await page.locator("[data-95598-chat] .panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    await page.frame_locator("iframe").locator("#status[data-state='bot']").wait_for()
    assert await no_horizontal_scroll(page)


async def test_the_widget_works_on_a_site_with_a_strict_csp(browser, live_chat, other_site, fake_rasa):
    page = await phone_page(browser)
    await page.goto(other_site + "strict")
    opener = page.locator("[data-95598-chat] button.open")
    await opener.wait_for()
    assert await opener.evaluate("b => getComputedStyle(b).position") == "fixed"  # its styles applied
    await opener.click()
    chat = page.frame_locator("iframe")
    await chat.locator("#status[data-state='bot']").wait_for()
    await chat.locator("#input").fill("查电费")
    await chat.locator("#input").press("Enter")
    await chat.locator(f"#lines .bubble:text-is('{BOT_HELLO}')").wait_for()
    assert page.problems == []
