"""The ticket desk in a real browser (Debian's Chromium through Playwright): a handler logs in,
finds the overdue complaint marked 已超时 in words, and works a fault repair from accepted to
closed through the step buttons; at each stage only the legal steps are buttons, each step then
appears in the history, and a step another person took first is refused in words (409).

Skips (with the reason) only when no chromium exists; under CI=1 that fails instead.
"""
from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import select

from backend.console import wording as say
from backend.models import AuditEntry
from tests.backend.console.conftest import seed_staff, staff_page
from tests.backend.router.conftest import SERVICE
from tests.backend.tickets.helpers import COMPLAINT, REPAIR
from tests.backend.web.chat_fixtures import require_chromium

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
STEP = say.STEP_NAMES


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def ticket_desk(browser, base: str, username: str):
    """A handler's browser logged in through the login page, on /console/tickets; problems collected."""
    page = await staff_page(browser, base, username, start="/console/tickets")
    await page.click("nav a[href='/console/tickets']")
    await page.wait_for_url(base + "/console/tickets")
    await page.wait_for_selector("#list button[data-id]")
    return page


async def buttons(page) -> list[str]:
    return await page.locator("#steps button[data-step]").all_text_contents()


async def take(page, name: str, fill: dict[str, str] | None = None, kind: str = "") -> None:
    """Click a step's button, fill its form, confirm, and wait for it in the history."""
    await page.click(f"#steps button:text-is('{name}')")
    for selector, value in (fill or {}).items():
        if await page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            await page.select_option(selector, value)
        else:
            await page.fill(selector, value)
    count = await page.locator(f"#history li[data-kind='{kind}']").count()
    await page.click("#step-form button[type='submit']")
    await page.wait_for_function(
        "([k, n]) => document.querySelectorAll(`#history li[data-kind='${k}']`).length > n", arg=[kind, count])
    await page.wait_for_selector("#notice:has-text('" + say.DESK["done"].format(step=name) + "')")


async def test_a_handler_works_a_repair_from_accepted_to_closed(browser, live_chat, platform, clock):
    await seed_staff(platform)
    async with aiohttp.ClientSession(base_url=live_chat.url, headers=SERVICE) as api:
        late = await (await api.post("/api/tickets", json={**COMPLAINT, "area": "坪山社区"})).json()
        clock.advance(hours=25)  # its 24 h first contact has passed
        repair = await (await api.post("/api/tickets", json=REPAIR)).json()
        page = await ticket_desk(browser, live_chat.url, "agent1")
        ids = await page.locator("#list button[data-id]").evaluate_all("bs => bs.map(b => b.dataset.id)")
        assert ids[:2] == [late["id"], repair["id"]]  # the overdue one first, then the nearest deadline
        overdue = page.locator(f"#list button[data-id='{late['id']}'] .timer")
        assert await overdue.text_content() == say.TIMER["overdue"]  # in words, not only colour
        assert "已超时" in await page.text_content(f"#list button[data-id='{late['id']}']")

        await page.click(f"#list button[data-id='{repair['id']}']")
        await page.wait_for_selector("#steps button[data-step]")
        assert await buttons(page) == [STEP[k] for k in ("dispatch", "contact", "arrive", "escalate", "close", "note")]
        assert "138****5678" in await page.text_content("#customer-info")  # masked
        assert await page.locator("#clocks tr[data-clock='arrival']").count() == 1
        await take(page, STEP["dispatch"], {"#f-unit": "33012701"}, "dispatch")
        assert await buttons(page) == [STEP[k] for k in ("dispatch", "accept", "contact", "arrive", "escalate",
                                                            "close", "note")]
        await take(page, STEP["accept"], kind="accept")
        assert STEP["accept"] not in await buttons(page)
        await take(page, STEP["arrive"], kind="arrive")
        assert await buttons(page) == [STEP[k] for k in ("dispatch", "contact", "restore", "escalate", "close", "note")]
        await take(page, STEP["restore"], {"#f-note": "更换熔断器后恢复送电"}, "restore")
        assert await buttons(page) == [STEP[k] for k in ("callback", "escalate", "note")]
        await page.click(f"#steps button:text-is('{STEP['callback']}')")
        resp = await api.post(f"/api/tickets/{repair['id']}/events", json={"kind": "callback", "rating": "no_answer"})
        assert resp.status == 201  # someone else's try meanwhile: still replied, the button stays legal
        await take(page, STEP["callback"], {"#f-rating": "satisfied"}, "callback")
        assert await buttons(page) == [STEP["note"]]  # closed: a note only (reopening is a supervisor's)
        assert "已办结" in await page.text_content("#t-state")
        history = await page.locator("#history li .what").all_text_contents()
        assert history[0] == say.EVENT_NAMES["create"]
        for kind in ("dispatch", "accept", "arrive", "restore", "callback"):
            assert say.EVENT_NAMES[kind] in history, kind
        assert "满意" in await page.text_content("#history li[data-kind='callback']:last-child")

        await page.click(f"#list button[data-id='{late['id']}']")
        await page.wait_for_selector(f"#t-title:has-text('{late['id']}')")
        await page.wait_for_selector("#clocks tr[data-clock='first_contact'] .timer.overdue")
        assert "已超时" in await page.text_content("#t-state")
        await page.click(f"#steps button:text-is('{STEP['reply']}')")
        await api.post(f"/api/tickets/{late['id']}/events", json={"kind": "reply", "note": "已处理"})  # first
        await page.fill("#f-note", "已向客户致歉")
        await page.click("#step-form button[type='submit']")
        await page.wait_for_selector("#error:has-text('不可执行')")  # the 409 in words
        page.problems[:] = [p for p in page.problems if "409" not in p]
        # A dashboard's drill-down link: its filters preset, the unit and dates kept and said.
        await page.goto(f"{live_chat.url}/console/tickets?type=complaint&unit=33012701&from=2026-03-01&to=2026-03-31")
        await page.wait_for_selector("#list button[data-id]")
        assert await page.locator("#list button[data-id]").evaluate_all("bs => bs.map(b => b.dataset.id)") \
            == [late["id"]]
        assert await page.input_value("#filters select[name='type']") == "complaint"
        assert "33012701" in await page.text_content("#drill")
    assert page.problems == []


async def test_a_supervisor_gets_the_escalated_overdue_and_repeat_tabs(browser, live_chat, platform, clock):
    await seed_staff(platform)
    async with aiohttp.ClientSession(base_url=live_chat.url, headers=SERVICE) as api:
        late = await (await api.post("/api/tickets", json={**COMPLAINT, "area": "坪山社区"})).json()
        clock.advance(hours=25)
        fresh = await (await api.post("/api/tickets", json=REPAIR)).json()
        await api.post(f"/api/tickets/{fresh['id']}/events", json={"kind": "escalate", "reason": "媒体关注"})
    page = await ticket_desk(browser, live_chat.url, "boss")
    tabs = await page.locator("#tabs [role='tab']").all_text_contents()
    assert tabs == [say.DESK_QUEUES[k] for k in ("all", "escalated", "overdue", "repeat")]

    async def listed(tab: str) -> list[str]:
        await page.click(f"#tabs [data-tab='{tab}']")
        await page.wait_for_selector(f"#tabs [data-tab='{tab}'][aria-selected='true']")
        await page.wait_for_selector("#list[aria-busy='false'] li")
        return await page.locator("#list button[data-id]").evaluate_all("bs => bs.map(b => b.dataset.id)")

    assert await listed("overdue") == [late["id"]]
    assert await listed("escalated") == [fresh["id"]]
    assert await listed("repeat") == [] and say.DESK["empty"] in await page.text_content("#list")
    assert await listed("all") == [late["id"], fresh["id"]]
    await page.click(f"#list button[data-id='{late['id']}']")
    await page.wait_for_selector("#steps button[data-step='grade']")  # a supervisor grades complaints
    assert page.problems == []


async def test_a_handler_reveals_the_customer_with_a_reason(browser, live_chat, platform, clock):
    """查看完整信息: masked until a reason is given; then the full phone, said to be recorded, and gone
    when another ticket is opened (nothing kept for later)."""
    await seed_staff(platform)
    async with aiohttp.ClientSession(base_url=live_chat.url, headers=SERVICE) as api:
        repair = await (await api.post("/api/tickets", json=REPAIR)).json()
        other = await (await api.post("/api/tickets", json={**COMPLAINT, "area": "坪山社区"})).json()
        page = await ticket_desk(browser, live_chat.url, "agent1")
        await page.click(f"#list button[data-id='{repair['id']}']")
        await page.wait_for_selector(f"#t-title:has-text('{repair['id']}')")
        assert "13812345678" not in await page.text_content("body")
        await page.click(f"#reveal button:text-is('{say.REVEAL['button']}')")
        await page.click("#reveal button[type='submit']")  # no reason: asked for one, nothing sent
        await page.wait_for_selector(f"#reveal .error:has-text('{say.REVEAL['reasonShort']}')")
        await page.fill("#reveal-reason", "回访客户，核对联系电话")
        await page.click("#reveal button[type='submit']")
        await page.wait_for_selector("#reveal [data-revealed]")
        assert await page.text_content("#reveal dd[data-field='phone']") == "13812345678"
        assert say.REVEAL["recorded"] in await page.text_content("#reveal")
        assert await page.evaluate("() => localStorage.length + sessionStorage.length") == 0
        await page.click(f"#list button[data-id='{other['id']}']")
        await page.wait_for_selector(f"#t-title:has-text('{other['id']}')")
        assert await page.locator("#reveal [data-revealed]").count() == 0
        assert "13812345678" not in await page.text_content("body")
    assert page.problems == []
    async with platform.sessions() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "ticket.reveal"))).all()
    assert [(e.actor, e.target_id, e.reason) for e in entries] == [("staff:agent1", repair["id"], "回访客户，核对联系电话")]
