"""The ticket desk shows a ticket's satisfaction surveys (the customer's own rating, source 问卷) beside
its history: a dissatisfied answer through the complaint form's link, its comment masked, the ticket
still closed (the callback, not the survey, decides a rework). Debian's Chromium through Playwright."""
from __future__ import annotations

import aiohttp
import pytest

from backend.console import wording as say
from tests.backend.console.conftest import seed_staff
from tests.backend.console.test_console_tickets_browser import ticket_desk
from tests.backend.router.conftest import SERVICE
from tests.backend.web.chat_fixtures import require_chromium

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
COMPLAINT = {"description": "抄表员多次没有上门，电费按估算收取", "customer": {"name": "赵晓东", "phone": "13900002222"},
             "address": "杭州市淳安县千岛湖镇坪山社区12幢301"}


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def test_the_desk_shows_the_customers_survey_answer_masked(browser, live_chat, platform):
    await seed_staff(platform)
    async with aiohttp.ClientSession(base_url=live_chat.url) as http:
        filed = await (await http.post("/api/public/complaints", json=COMPLAINT,
                                       headers={"Idempotency-Key": "tok_desk_survey_0123456"})).json()
        for step in ({"kind": "reply", "note": "已按实际读数重算"}, {"kind": "callback", "rating": "satisfied"}):
            resp = await http.post(f"/api/tickets/{filed['id']}/events", json=step, headers=SERVICE)
            assert resp.status == 201, await resp.text()
        answer = await http.post(filed["survey_url"], json={"rating": "dissatisfied",
                                                            "comment": "回访说满意是误会，请打13812345678"})
        assert answer.status == 200
    page = await ticket_desk(browser, live_chat.url, "agent1")
    await page.select_option("#filters select[name='status']", "closed")
    await page.click("#filters button[type='submit']")
    await page.wait_for_selector(f"#list button[data-id='{filed['id']}']")
    await page.click(f"#list button[data-id='{filed['id']}']")
    await page.wait_for_selector("#surveys li[data-survey]")
    shown = await page.text_content("#surveys")
    texts = say.DESK_SURVEYS
    assert texts["subjects"]["ticket"] in shown and texts["form"] in shown and "不满意" in shown
    assert "138****5678" in shown and "13812345678" not in shown
    assert await page.text_content("#surveys-title") == texts["title"]
    assert "已办结" in await page.text_content("#t-state")  # the survey changed no state
    assert page.problems == []
