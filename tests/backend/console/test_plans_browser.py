"""Improvement plans in a real browser (Debian's Chromium through Playwright), on test_dashboard_export's
March: the county's supervisor makes a plan from an indicator on the dashboard and sees it beside the
indicator; the station's supervisor, responsible for it, adds progress and completes it; the dashboard
then shows it done. Nothing breaks the console's CSP on any of the pages.

Skips (with the reason) only when no chromium exists; under CI=1 that fails instead.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher

from backend.console import wording as say
from backend.models import StaffUser
from glossary.names import PLAN_STATUSES
from tests.backend.console.conftest import PASSWORD, staff_page
from tests.backend.console.test_dashboard_export import COUNTY, RURAL, month_of_march
from tests.backend.web.chat_fixtures import require_chromium

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
ROW = "#plans-table tr[data-key='overdue_count']"


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def supervisors(platform) -> None:
    """The county's supervisor (王主管) and the station 汾口's (赵所长), with the console's demo passwords."""
    hasher = PasswordHasher()
    async with platform.sessions() as session:
        for username, name, unit in (("sup_county", "王主管", COUNTY), ("sup_rural", "赵所长", RURAL)):
            session.add(StaffUser(username=username, display_name=name, role="supervisor", unit_id=unit,
                                  password_hash=hasher.hash(PASSWORD.format(username=username))))
        await session.commit()


async def dashboard(page, base: str) -> None:
    await page.goto(f"{base}/console/dashboard?unit={COUNTY}")
    await page.wait_for_selector("body[data-ready='true']")
    await page.wait_for_selector("#plans-block[data-ready='true']")


async def test_a_plan_made_on_the_dashboard_is_worked_to_done(browser, live_chat, platform, client, auth, clock):
    await month_of_march(platform, client, auth, clock)  # the clock stays at 2026-03-12 12:00
    await supervisors(platform)
    base = live_chat.url
    boss = await staff_page(browser, base, "sup_county")
    await dashboard(boss, base)
    assert "超时工单数" in await boss.text_content(f"{ROW} th")
    assert await boss.text_content(f"{ROW} td.value") == "1"  # the county's March, as the table above says
    assert await boss.text_content(f"{ROW} td.plans") == say.DASHBOARD_PLANS["none"]
    assert await boss.query_selector("#plans-table tr[data-key='accepted']") is None  # a volume, no target

    # 制定整改 opens the form with the unit, indicator and month of the dashboard.
    make = boss.locator(f"{ROW} a.make")
    assert parse_qs(urlsplit(await make.get_attribute("href")).query) == {
        "new": ["1"], "unit": [COUNTY], "indicator": ["overdue_count"], "month": ["2026-03"]}
    await make.click()
    await boss.wait_for_selector("#plan-form:not([hidden])")
    assert await boss.input_value("#f-indicator") == "overdue_count"
    assert await boss.input_value("#f-unit") == COUNTY and await boss.input_value("#f-month") == "2026-03"
    assert await boss.input_value("#f-op") == "<="  # a count should fall
    await boss.click("#f-submit")  # nothing filled in: the page says what is missing, in words
    assert "请填写“问题描述”" in await boss.text_content("#error")
    await boss.fill("#f-problem", "汾口供电所3月有投诉首次联系超时，客户13812345678多次来电。")
    await boss.fill("#f-target", "0")
    await boss.fill("#f-measures", "每日早班核对未联系工单，超过2小时未联系的由所长督办。")
    await boss.select_option("#f-responsible", RURAL)
    await boss.fill("#f-due", "2026-03-31")
    await boss.click("#f-submit")
    await boss.wait_for_selector("#detail[data-status='in_progress']")
    number = await boss.get_attribute("#detail", "data-plan")
    assert number.startswith("ZG20260312")
    assert "138****5678" in await boss.text_content("#detail")  # stored and shown masked
    assert await boss.text_content("#plan-target") == "不高于 0"
    assert await boss.is_visible("#act-withdraw")  # its creator may take it back
    await boss.wait_for_selector(f"#list [data-plan='{number}']")

    # Beside the indicator on the dashboard: in progress, 汾口's March value against the target.
    await dashboard(boss, base)
    line = await boss.text_content(f"{ROW} li[data-plan='{number}']")
    assert line == f"{number} {PLAN_STATUSES['in_progress']} · 汾口供电所：目标 不高于 0，当前 1"

    # The station's supervisor works it: progress, then completion with a note.
    station = await staff_page(browser, base, "sup_rural")
    await station.goto(f"{base}/console/plans?plan={number}")
    await station.wait_for_selector("#detail[data-status='in_progress']")
    assert await station.is_visible("#act-progress") and await station.is_visible("#act-complete")
    assert await station.query_selector("#act-withdraw") is None  # the county set it; the county takes it back
    await station.click("#act-progress")
    await station.fill("#act-text", "已安排早班核对，本周无新增超时。")
    await station.click("#act-form button[type='submit']")
    await station.wait_for_selector("#progress li:has-text('已安排早班核对')")
    assert "赵所长" in await station.text_content("#progress")
    await station.click("#act-complete")
    await station.fill("#act-text", "措施已落实，纳入所务例会检查。")
    await station.click("#act-form button[type='submit']")
    await station.wait_for_selector("#detail[data-status='completed']")
    completion = await station.text_content("#completion")
    assert "措施已落实" in completion and "2026-03-01 至 2026-03-12" in completion and "未达到目标" in completion
    assert await station.text_content("#acts") == say.PLANS["noActs"]

    # The dashboard shows it done.
    await dashboard(boss, base)
    done = boss.locator(f"{ROW} li[data-plan='{number}']")
    assert await done.get_attribute("data-status") == "completed"
    assert PLAN_STATUSES["completed"] in await done.text_content()
    assert boss.problems == [] and station.problems == []
