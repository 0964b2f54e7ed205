"""The dashboard in a real browser (Debian's Chromium through Playwright) on the hand-computed March
of test_dashboard_export: the charts draw, the tables show GET /api/kpi's numbers, the drill-down links
carry the ticket list's filter, and nothing breaks the console's CSP.

Skips (with the reason) only when no chromium exists; under CI=1 that fails instead.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from backend.console import wording as say
from tests.backend.console.conftest import seed_staff, staff_page
from tests.backend.console.test_dashboard_export import COUNTY, EXPECTED, RURAL, URBAN, month_of_march
from tests.backend.test_kpi import cst
from tests.backend.web.chat_fixtures import require_chromium

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
PAINTED = """canvas => { const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; } return false; }"""


@pytest.fixture(autouse=True)
def chromium() -> str:
    return require_chromium()


async def logged_in(browser, base: str, username: str):
    """A staff member's page after the login form (from the dashboard's URL), problems collected."""
    return await staff_page(browser, base, username, start="/console/dashboard")


async def test_a_supervisor_reads_the_dashboard_and_drills_down(browser, live_chat, platform, client, auth, clock):
    await month_of_march(platform, client, auth, clock)
    clock.set(cst("2026-04-02T09:00"))  # March is over (its supply reliability counts all its hours)
    await seed_staff(platform, with_units=False)
    boss = await logged_in(browser, live_chat.url, "boss")
    await boss.goto(f"{live_chat.url}/console/dashboard?unit={COUNTY}")
    await boss.wait_for_selector("body[data-ready='true']")
    # April is the default; March is picked like a supervisor would.
    await boss.select_option("#month", "2026-03")
    await boss.click("#show")
    await boss.wait_for_selector("#status:has-text('2026-03')")
    await boss.wait_for_selector("body[data-ready='true']")
    assert say.DASHBOARD_TITLE in await boss.text_content("main h2")

    # Every chart painted something: the comparison and one trend per default indicator.
    canvases = await boss.query_selector_all(".chart canvas")
    assert len(canvases) == 1 + 3
    for canvas in canvases:
        assert await canvas.evaluate(PAINTED)
    assert await boss.get_attribute("#compare-chart", "aria-label") or await boss.get_attribute(
        "#compare-chart", "aria-labelledby")

    # The assessment table shows the API's numbers (and so the hand-computed ones).
    api = await boss.evaluate(
        "fetch('/api/kpi?unit=330127&from=2026-03-01&to=2026-03-31').then(r => r.json())")
    units = {api["unit"]["id"]: api["indicators"], **{c["unit"]["id"]: c["indicators"] for c in api["children"]}}
    assert units == EXPECTED
    for unit, values in units.items():
        for key, value in values.items():
            cell = f"#compare-table tr[data-unit='{unit}'] td[data-key='{key}']"
            shown = await boss.get_attribute(cell, "data-value")
            expected = value if isinstance(value, int) else value["ratio"]
            assert shown == ("null" if expected is None else str(expected)), (unit, key)
    assert "66.67% (2/3)" in await boss.text_content(f"#compare-table tr[data-unit='{COUNTY}'] td[data-key='satisfaction']")
    # The quality indicators are rows like the others; reliability is a percentage with 4 decimals.
    county = f"#compare-table tr[data-unit='{COUNTY}']"
    assert await boss.text_content(f"{county} td[data-key='supply_reliability']") == "99.9194% (743.4/744)"
    assert await boss.text_content(f"{county} td[data-key='service_compliance']") == "100.00% (2/2)"
    assert await boss.text_content(f"#compare-table tr[data-unit='{RURAL}'] td[data-key='supply_reliability']") == \
        f"{say.DASHBOARD['noData']} (0/0)"
    header = await boss.text_content("#compare-table thead")
    assert all(say.INDICATORS[k] in header for k in ("service_compliance", "supply_reliability",
                                                      "supply_reliability_excl_planned"))
    # The trend table's March row is the same month.
    march = "#trend-table tr[data-month='2026-03'] td[data-key='satisfaction']"
    assert await boss.get_attribute(march, "data-value") == "0.6667"

    # Drill-down: a number with an exact ticket filter links to the tickets workspace with it.
    links = await boss.query_selector_all(f"#compare-table tr[data-unit='{RURAL}'] td[data-key='complaint_handling_rate'] a")
    assert len(links) == 1  # the denominator (complaints); "handled" has no list filter
    query = parse_qs(urlsplit(await links[0].get_attribute("href")).query)
    assert urlsplit(await links[0].get_attribute("href")).path == "/console/tickets"
    assert query == {"unit": [RURAL], "from": ["2026-03-01"], "to": ["2026-03-31"], "type": ["complaint"]}
    accepted = await boss.get_attribute(f"#compare-table tr[data-unit='{URBAN}'] td[data-key='accepted'] a", "href")
    assert parse_qs(urlsplit(accepted).query) == {"unit": [URBAN], "from": ["2026-03-01"], "to": ["2026-03-31"]}
    assert await boss.query_selector("#compare-table td[data-key='satisfaction'] a") is None
    assert await boss.query_selector("#compare-table td[data-key='overdue_count'] a") is None

    # Keyboard: the controls and links are reachable; another indicator is compared on Enter.
    await boss.select_option("#compare", "accepted")
    await boss.check("#trend-pick input[value='supply_reliability']")  # its trend too
    await boss.focus("#show")
    await boss.keyboard.press("Enter")
    await boss.wait_for_selector("#compare-title:has-text('受理工单数')")
    await boss.wait_for_selector("body[data-ready='true']")
    trend = "#trend-table tr[data-month='2026-03'] td[data-key='supply_reliability']"
    assert await boss.text_content(trend) == "99.9194% (743.4/744)"
    assert await boss.locator(".chart[data-key='supply_reliability'] canvas").evaluate(PAINTED)
    csv_link = await boss.get_attribute("#export-csv", "href")
    assert parse_qs(urlsplit(csv_link).query) == {"unit": [COUNTY], "month": ["2026-03"], "format": ["csv"]}
    assert boss.problems == []

    # A bar is a number too: 淳安's second station's bar leads to its accepted tickets.
    x, y = await boss.evaluate("""() => { const c = echarts.getInstanceByDom(document.getElementById('compare-chart'));
        return c.convertToPixel({seriesIndex: 0}, [1, 1]); }""")
    box = await boss.locator("#compare-chart").bounding_box()
    await boss.mouse.click(box["x"] + x, box["y"] + y)
    await boss.wait_for_url("**/console/tickets?**")
    assert parse_qs(urlsplit(boss.url).query) == {"unit": [RURAL], "from": ["2026-03-01"], "to": ["2026-03-31"]}


async def test_an_agent_is_refused_the_dashboard(browser, live_chat, platform):
    await seed_staff(platform)
    agent = await logged_in(browser, live_chat.url, "agent1")
    response = await agent.goto(live_chat.url + "/console/dashboard")
    assert response.status == 403
    assert "没有执行该操作的权限" in await agent.text_content("body")
