"""The published assessment in a real browser (Debian's Chromium through Playwright), on
test_assessment's province: the province's supervisor publishes March with the page's form and lands on
the table; publishing it again without a reason is refused in words on the page, with a reason it
is the second version; a station agent of another city opens the list and the table, sees the same
numbers and no publish form. Nothing breaks the console's CSP.

Skips (with the reason) only when no chromium exists; under CI=1 that fails instead.
"""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from backend.models import StaffUser
from tests.backend.console.conftest import PASSWORD, staff_page
from tests.backend.console.test_assessment import COUNTY, RURAL, TREE, seed_province
from tests.backend.test_kpi import cst
from tests.backend.web.chat_fixtures import require_chromium

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
SATISFACTION = "#assessment-table tr[data-unit='{unit}'] td[data-key='satisfaction']"


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def with_passwords(platform, *usernames: str) -> None:
    """test_assessment's staff carry no password: these get the console's demo ones."""
    hasher = PasswordHasher()
    async with platform.sessions() as session:
        for username in usernames:
            await session.execute(update(StaffUser).where(StaffUser.username == username)
                                  .values(password_hash=hasher.hash(PASSWORD.format(username=username))))
        await session.commit()


async def publish_with_form(page, reason: str = "") -> None:
    await page.fill("#publish input[name='month']", "2026-03")
    await page.fill("#publish input[name='reason']", reason)
    await page.click("#publish button[type='submit']")


async def test_the_province_publishes_and_another_citys_agent_reads(browser, live_chat, platform, client, auth, clock):
    await seed_province(platform, client, auth, clock)
    clock.set(cst("2026-04-02T09:00"))  # March is over
    await with_passwords(platform, "prov_sup", "ningbo_agent")
    base = live_chat.url

    boss = await staff_page(browser, base, "prov_sup")
    await boss.goto(f"{base}/console/assessment")
    assert await boss.text_content("#no-periods") == "尚未公布任何月份的考核结果。"
    assert await boss.input_value("#publish input[name='month']") == "2026-03"  # last month, offered first
    await publish_with_form(boss)
    await boss.wait_for_url(f"{base}/console/assessment/2026-03")
    rows = await boss.eval_on_selector_all("#assessment-table tr[data-unit]", "rows => rows.map(r => r.dataset.unit)")
    assert rows == TREE
    assert await boss.text_content(SATISFACTION.format(unit=COUNTY)) == "66.67%（2/3）"
    assert "第1版（最新）" in await boss.text_content("#facts")

    # The same month again without a reason: refused on the page, in words, and nothing is published.
    await boss.goto(f"{base}/console/assessment")
    await publish_with_form(boss)
    await boss.wait_for_selector("#publish-error:not([hidden])")
    assert "已发布（第1版）" in await boss.text_content("#publish-error")
    assert "请填写更正原因" in await boss.text_content("#publish-error")
    await publish_with_form(boss, reason="汾口供电所一张投诉工单的分类有误，已更正。")
    await boss.wait_for_url(f"{base}/console/assessment/2026-03")
    assert "第2版（最新）" in await boss.text_content("#facts")

    # A station agent of another city: the list, the same table, no publish form.
    reader = await staff_page(browser, base, "ningbo_agent")
    await reader.goto(f"{base}/console/assessment")
    assert await reader.query_selector("#publish") is None
    assert "第2版" in await reader.text_content("#periods tr[data-month='2026-03']")
    await reader.click("#periods tr[data-month='2026-03'] a")
    await reader.wait_for_url(f"{base}/console/assessment/2026-03")
    assert await reader.text_content(SATISFACTION.format(unit=COUNTY)) == "66.67%（2/3）"
    assert await reader.text_content(SATISFACTION.format(unit=RURAL)) == await boss.text_content(
        SATISFACTION.format(unit=RURAL))
    assert [p for p in boss.problems if "409 (Conflict)" not in p] == []  # the browser logs the refusal
    assert reader.problems == []
