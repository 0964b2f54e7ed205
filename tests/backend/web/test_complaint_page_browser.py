"""The complaint page in a real browser: Debian's Chromium driven by Playwright
(../shared/notes/browser-tests.md; never Playwright's own browser download).

scripts/install.sh installs chromium when it is missing on a root shell with apt;
these tests skip, saying why, only when no chromium executable can be found, and
under CI=1 (where install put it there) they fail instead of hiding the gap.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.models import Ticket

CHROMIUM = shutil.which("chromium") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
             "NetType/WIFI Language/zh_CN")
LOCAL_TIME = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$")

NO_CHROMIUM = "no chromium executable on PATH or at /usr/bin/chromium (scripts/install.sh as root installs it)"
pytestmark = [
    # One database is enough for the browser; the API tests cover PostgreSQL.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture(autouse=True)
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    return CHROMIUM


@pytest.fixture
async def phone_page(backend_url) -> AsyncIterator:
    """A phone-sized page in WeChat's in-app browser, with CSP violations collected."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                            has_touch=True, locale="zh-CN", user_agent=WECHAT_UA)
        page = await context.new_page()
        page.violations = []
        page.on("console", lambda m: "Content Security Policy" in m.text and page.violations.append(m.text))
        page.base = backend_url
        yield page
        await browser.close()


async def no_horizontal_scroll(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def tickets_with(platform, text: str) -> int:
    async with platform.sessions() as session:
        return await session.scalar(select(func.count(Ticket.id)).where(Ticket.description.contains(text)))


async def test_double_click_files_one_ticket_and_shows_both_deadlines(phone_page, platform):
    page = phone_page
    marker = f"表单浏览器测试{uuid.uuid4().hex[:12]}"
    await page.goto(page.base + "/complaint")
    assert await no_horizontal_scroll(page)
    await page.fill("#description", f"{marker}：供电所答应上门检查线路，至今无人联系")
    await page.fill("#name", "测试用户")
    await page.fill("#phone", "13600001234")
    await page.fill("#address", "淳安县千岛湖镇坪山社区8幢")
    requests = []
    page.on("request", lambda r: r.method == "POST" and requests.append(r.url))
    await page.dblclick("#submit")
    await page.wait_for_selector("#result:not([hidden])")
    ticket_no = (await page.text_content("#result-id")).strip()
    assert re.fullmatch(r"GD\d{14}", ticket_no)
    assert LOCAL_TIME.match((await page.text_content("#result-first-contact")).strip())
    assert LOCAL_TIME.match((await page.text_content("#result-reply")).strip())
    assert await page.evaluate("document.activeElement.id") == "result-title"
    assert await page.is_hidden("#form-area")
    assert await page.is_visible("#result-survey")  # the satisfaction survey's link, for after the close
    assert re.fullmatch(r"/survey/[A-Za-z0-9_-]{20,}", await page.get_attribute("#result-survey-link", "href"))
    assert await no_horizontal_scroll(page)
    assert await tickets_with(platform, marker) == 1
    assert len(requests) == 1  # the second click found the button disabled
    assert page.violations == []


async def test_missing_phone_is_shown_by_the_field_with_the_focus_on_it(phone_page, platform):
    page = phone_page
    marker = f"缺电话测试{uuid.uuid4().hex[:12]}"
    await page.goto(page.base + "/complaint")
    await page.fill("#description", f"{marker}：营业厅排队两个小时没人管")
    await page.click("#submit")
    error = await page.wait_for_selector("#phone-error:not([hidden])")
    text = (await error.text_content()).strip()
    assert text.startswith("请填写联系电话")
    assert await page.evaluate("document.activeElement.id") == "phone"
    assert await page.get_attribute("#phone", "aria-invalid") == "true"
    assert "phone-error" in await page.get_attribute("#phone", "aria-describedby")
    assert text in await page.text_content("#error-summary")  # the role=alert summary says it too
    assert await no_horizontal_scroll(page)
    assert await tickets_with(platform, marker) == 0
    # Fixing the field files the complaint with the same page.
    await page.fill("#phone", "0571-87654321")
    await page.click("#submit")
    await page.wait_for_selector("#result:not([hidden])")
    assert await tickets_with(platform, marker) == 1
    assert page.violations == []


async def test_anonymous_without_phone_is_accepted(phone_page, platform):
    page = phone_page
    marker = f"匿名测试{uuid.uuid4().hex[:12]}"
    await page.goto(page.base + "/complaint")
    await page.fill("#description", f"{marker}：抄表员估抄电量")
    await page.check("#anonymous")
    await page.click("#submit")
    await page.wait_for_selector("#result:not([hidden])")
    assert await page.is_visible("#result-anonymous")
    assert await tickets_with(platform, marker) == 1


async def test_the_form_works_without_javascript(backend_url, platform):
    from playwright.async_api import async_playwright

    marker = f"无脚本测试{uuid.uuid4().hex[:12]}"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = await browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                            locale="zh-CN")
        page = await context.new_page()
        await page.goto(backend_url + "/complaint")
        await page.fill("#description", f"{marker}：电费单上的读数和电表对不上")
        await page.click("#submit")  # no phone: the server answers with the form and the error
        assert "请填写联系电话" in await page.text_content("#phone-error")
        assert await page.evaluate("document.activeElement.id") == "phone"  # autofocus
        await page.fill("#phone", "13600005678")
        await page.click("#submit")
        ticket_no = (await page.text_content("#result-id")).strip()
        assert re.fullmatch(r"GD\d{14}", ticket_no)
        assert LOCAL_TIME.match((await page.text_content("#result-reply")).strip())
        link = await page.get_attribute("#result-survey-link", "href")
        await page.reload()  # the browser re-posts the same form: the same ticket
        assert (await page.text_content("#result-id")).strip() == ticket_no
        assert await page.get_attribute("#result-survey-link", "href") == link  # and the same survey link
        await browser.close()
    assert await tickets_with(platform, marker) == 1
