"""The published monthly assessment (定期公布考核结果) on SQLite and PostgreSQL.

The hand-computed March of test_dashboard_export (county 淳安 and its two stations), in a
province with a second city (宁波, one station) so that a station agent of another city
reads what the province published. Published on 2026-04-02 by the province's supervisor.
"""
from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from backend.console import wording as say
from backend.models import AuditEntry, PublishedAssessment, StaffUser, Unit
from tests.backend.console.test_dashboard_export import COUNTY, EXPECTED, RURAL, month_of_march, staff_cookie
from tests.backend.test_kpi import cst, ratio, step

CITY2, STATION2 = "3302", "33020101"
TREE = ["33", "3301", COUNTY, "33012701", RURAL, CITY2, STATION2]  # tree order, parents first
DEPTH = {"33": 0, "3301": 1, COUNTY: 2, "33012701": 3, RURAL: 3, CITY2: 1, STATION2: 2}
STAFF = (("prov_sup", "supervisor", "33"), ("prov_agent", "agent", "33"), ("rural_sup", "supervisor", RURAL),
         ("ningbo_agent", "agent", STATION2), ("admin", "admin", "33"))
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
CELL = re.compile(r'<tr class="depth-(\d)" data-unit="([^"]+)">(.*?)</tr>')
VALUE = re.compile(r'<td data-key="([^"]+)" data-value="([^"]*)">([^<]*)</td>')


async def seed_province(platform, client, auth, clock) -> None:
    """March in 淳安, a second city with one station, and the staff of STAFF."""
    await month_of_march(platform, client, auth, clock)
    async with platform.sessions() as session:
        session.add(Unit(id=CITY2, name="国网宁波供电公司", level="city", parent_id="33"))
        await session.flush()
        session.add(Unit(id=STATION2, name="鄞州供电所", level="station", parent_id=CITY2))
        await session.flush()
        for username, role, unit in STAFF:
            session.add(StaffUser(username=username, display_name=f"{username}名", password_hash="x", role=role,
                                  unit_id=unit))
        await session.commit()


@pytest.fixture
async def province(platform, client, auth, clock) -> None:
    await seed_province(platform, client, auth, clock)
    clock.set(cst("2026-04-02T09:00"))  # March is over


async def publish(client, headers, **body):
    return await client.post("/api/assessments", json={"month": "2026-03", **body}, headers=headers)


async def api_kpi(client, headers, unit: str) -> dict:
    resp = await client.get("/api/kpi", params={"unit": unit, **MARCH}, headers=headers)
    assert resp.status == 200
    return (await resp.json())["indicators"]


def page_rows(html: str) -> dict[str, tuple[int, dict[str, tuple[str, str]]]]:
    """unit -> (depth, {indicator: (data-value, shown)}) of the page's table."""
    return {unit: (int(depth), {k: (v, unescape(t)) for k, v, t in VALUE.findall(cells)})
            for depth, unit, cells in CELL.findall(html)}


async def test_the_snapshot_is_the_api_at_publication_and_stays_so(client, platform, clock, province, auth):
    boss = await staff_cookie(platform, clock, "prov_sup")
    live = {unit: await api_kpi(client, auth, unit) for unit in TREE}
    assert {u: live[u] for u in EXPECTED} == EXPECTED  # (the sweep of 3/12 is the last change)

    resp = await publish(client, boss)
    assert resp.status == 201, await resp.text()
    published = await resp.json()
    assert published["version"] == 1 and published["reason"] is None
    assert published["published_by"] == {"actor": "staff:prov_sup", "name": "prov_sup名"}
    assert published["published_at"] == "2026-04-02T09:00:00+08:00"
    assert [row["unit"]["id"] for row in published["rows"]] == TREE
    for row in published["rows"]:
        assert row["indicators"] == live[row["unit"]["id"]], row["unit"]
        assert row["depth"] == DEPTH[row["unit"]["id"]]
    assert published["indicators"] == list(live["33"])

    # The complaint nobody touched in March is worked in April: the live figures move, the published do not.
    listed = await client.get("/api/tickets", params={"unit": RURAL, "type": "complaint"}, headers=auth)
    q1 = (await listed.json())["items"][0]["id"]
    clock.set(cst("2026-04-03T10:00"))
    await step(client, auth, q1, "contact")
    await step(client, auth, q1, "reply", note="已核实处理")
    assert (await api_kpi(client, auth, RURAL))["complaint_handling_rate"] == ratio(1, 1, 1.0)
    boss = await staff_cookie(platform, clock, "prov_sup")  # a new day: yesterday's session has ended
    again = await client.get("/api/assessments/2026-03", headers=boss)
    assert again.status == 200 and await again.json() == published
    rows = {row["unit"]["id"]: row["indicators"] for row in published["rows"]}
    assert rows[RURAL]["complaint_handling_rate"] == ratio(0, 1, 0.0)

    # The page shows the same numbers, ratios with numerator/denominator.
    page = await client.get("/console/assessment/2026-03", headers=boss)
    assert page.status == 200
    html = await page.text()
    shown = page_rows(html)
    assert list(shown) == TREE
    for unit, (depth, cells) in shown.items():
        assert depth == DEPTH[unit]
        assert list(cells) == published["indicators"]
        for key, (value, text) in cells.items():
            expected = rows[unit][key]
            if isinstance(expected, int):
                assert value == text == str(expected), (unit, key)
            else:
                assert value == ("null" if expected["ratio"] is None else str(expected["ratio"])), (unit, key)
                assert text.endswith(f"（{expected['numerator']}/{expected['denominator']}）"), (unit, key, text)
    assert shown[COUNTY][1]["satisfaction"][1] == "66.67%（2/3）"
    assert shown[RURAL][1]["complaint_timeliness_rate"][1] == "—（0/0）"
    assert "2026-04-02 09:00" in html and "prov_sup名" in html and "第1版（最新）" in html


async def test_only_the_provinces_supervisors_and_admins_publish_a_finished_month(client, platform, clock, province):
    agent = await client.post("/api/assessments", json={"month": "2026-03"},
                              headers=await staff_cookie(platform, clock, "prov_agent"))
    assert agent.status == 403 and (await agent.json())["error"]["code"] == "role_not_allowed"
    station = await publish(client, await staff_cookie(platform, clock, "rural_sup"))
    assert station.status == 403 and (await station.json())["error"]["code"] == "outside_unit"
    boss = await staff_cookie(platform, clock, "prov_sup")
    for month in ("2026-04", "2026-12"):  # April is not over on 4/2, December is to come
        early = await publish(client, boss, month=month)
        body = await early.json()
        assert early.status == 422 and body["error"]["code"] == "month_not_over"
        assert "尚未结束" in body["error"]["message"]
    for month in ("2026-13", "26-03", "9999-12"):
        bad = await publish(client, boss, month=month)
        assert bad.status == 422, month
    first_with_reason = await publish(client, boss, reason="更正")
    assert first_with_reason.status == 422 and (await first_with_reason.json())["error"]["code"] == "nothing_to_correct"
    async with platform.sessions() as session:
        assert (await session.scalars(select(PublishedAssessment))).all() == []  # refusals publish nothing

    assert (await publish(client, boss)).status == 201
    twice = await publish(client, boss)
    assert twice.status == 409 and (await twice.json())["error"]["code"] == "already_published"
    blank = await publish(client, boss, reason="   ")
    assert blank.status == 409
    clock.set(cst("2026-04-09T10:00"))
    admin = await staff_cookie(platform, clock, "admin")
    fixed = await publish(client, admin, reason="客户13812345678的投诉已补录，重新发布")
    assert fixed.status == 201
    v2 = await fixed.json()
    assert v2["version"] == 2 and v2["reason"] == "客户138****5678的投诉已补录，重新发布"  # staff text, masked

    # Version 1 stays readable; the latest is version 2.
    reader = await staff_cookie(platform, clock, "ningbo_agent")
    v1 = await (await client.get("/api/assessments/2026-03", params={"version": "1"}, headers=reader)).json()
    assert v1["version"] == 1 and v1["published_by"]["actor"] == "staff:prov_sup"
    assert (await (await client.get("/api/assessments/2026-03", headers=reader)).json())["version"] == 2
    listing = await (await client.get("/api/assessments", headers=reader)).json()
    assert [(p["month"], p["latest"]["version"], [v["version"] for v in p["versions"]])
            for p in listing["periods"]] == [("2026-03", 2, [2, 1])]
    assert "rows" not in listing["periods"][0]["latest"]
    missing = await client.get("/api/assessments/2026-03", params={"version": "3"}, headers=reader)
    assert missing.status == 404
    page = await (await client.get("/console/assessment/2026-03", params={"version": "1"}, headers=reader)).text()
    assert "第1版</a>" in page and "第2版</a>" in page and "138****5678" in page and "13812345678" not in page

    async with platform.sessions() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "assessment.publish")
                                          .order_by(AuditEntry.id))).all()
    assert [(e.actor, e.target_id, e.unit_id, e.details) for e in entries] == [
        ("staff:prov_sup", "2026-03/v1", "33", {"month": "2026-03", "version": 1}),
        ("staff:admin", "2026-03/v2", "33", {"month": "2026-03", "version": 2})]
    assert entries[1].reason == "客户138****5678的投诉已补录，重新发布"


async def test_every_unit_reads_what_is_published_and_nothing_else(client, platform, clock, province):
    reader = await staff_cookie(platform, clock, "ningbo_agent")  # a station agent of the other city
    empty = await client.get("/console/assessment", headers=reader)
    assert empty.status == 200 and say.ASSESSMENT["none"] in await empty.text()
    assert (await (await client.get("/api/assessments", headers=reader)).json()) == {"periods": []}
    unpublished = await client.get("/api/assessments/2026-03", headers=reader)
    assert unpublished.status == 404 and (await unpublished.json())["error"]["code"] == "assessment_not_published"
    page = await client.get("/console/assessment/2026-03", headers=reader)
    assert page.status == 404 and "尚未公布" in await page.text()

    await publish(client, await staff_cookie(platform, clock, "prov_sup"))
    listing = await client.get("/console/assessment", headers=reader)
    html = await listing.text()
    assert listing.status == 200 and 'href="/console/assessment/2026-03"' in html
    assert 'id="publish"' not in html  # no publish form for an agent
    assert 'id="publish"' in await (await client.get("/console/assessment",
                                                     headers=await staff_cookie(platform, clock, "prov_sup"))).text()
    table = await client.get("/console/assessment/2026-03", headers=reader)
    assert table.status == 200 and list(page_rows(await table.text())) == TREE
    assert table.headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'")
    assert (await client.get("/console/assessment/2026-02", headers=reader)).status == 404
    assert (await client.get("/console/assessment/2026-3", headers=reader)).status == 422
    assert (await client.get("/console/assessment/2026-03?version=x", headers=reader)).status == 422
    assert (await client.get("/api/assessments/2026-03")).status == 401
    anonymous = await client.get("/console/assessment/2026-03", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"] == "/console/login"


async def test_the_published_export_opens_in_excel_and_equals_the_page(client, platform, clock, province):
    await publish(client, await staff_cookie(platform, clock, "prov_sup"))
    reader = await staff_cookie(platform, clock, "ningbo_agent")
    shown = page_rows(await (await client.get("/console/assessment/2026-03", headers=reader)).text())
    xlsx = await client.get("/api/assessments/2026-03/export", params={"format": "xlsx"}, headers=reader)
    assert xlsx.status == 200 and 'filename="assessment-2026-03-v1.xlsx"' in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await xlsx.read())).active
    assert sheet.title == "考核表 2026-03"
    header, *data = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [row[1] for row in data] == TREE
    for row in data:
        got = dict(zip(header, row, strict=True))
        for key, (value, _) in shown[got["单位编码"]][1].items():
            name = say.INDICATORS[key]
            if key in say.RATIO_PARTS:
                num, den = say.RATIO_PARTS[key]
                assert (None if value == "null" else float(value)) == got[name], (got["单位编码"], key)
                parts = _.rsplit("（", 1)[1].rstrip("）").split("/")  # e.g. 743.4/744.0 (customer-hours)
                assert [float(p) for p in parts] == [got[f"{name}·分子（{num}）"], got[f"{name}·分母（{den}）"]]
            else:
                assert value == str(got[name]), (got["单位编码"], key)
    raw = await (await client.get("/api/assessments/2026-03/export", headers=reader)).read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == header and [r[1] for r in rows[1:]] == TREE
    assert (await client.get("/api/assessments/2026-02/export", headers=reader)).status == 404
    async with platform.sessions() as session:
        exports = (await session.scalars(select(AuditEntry.details).where(AuditEntry.action == "assessment.export"))).all()
    assert exports == [{"month": "2026-03", "version": 1, "format": "xlsx"},
                       {"month": "2026-03", "version": 1, "format": "csv"}]


async def test_a_table_is_shown_from_the_indicators_it_holds(client, platform, clock, province):
    """A version published by an older release (fewer indicators, one since renamed) still renders."""
    async with platform.sessions() as session:
        session.add(PublishedAssessment(
            month="2025-12", version=1, root_unit_id="33", published_at=cst("2026-01-05T10:00"),
            published_by="staff:prov_sup", publisher_name="王主管", indicators=["accepted", "satisfaction", "old_rate"],
            rows=[{"unit": {"id": "33", "name": "国网浙江省电力有限公司", "level": "province"}, "parent": None,
                   "depth": 0, "indicators": {"accepted": 7, "satisfaction": ratio(3, 4, 0.75),
                                              "old_rate": ratio(1, 3, 0.3333)}}]))
        await session.commit()
    reader = await staff_cookie(platform, clock, "ningbo_agent")
    html = await (await client.get("/console/assessment/2025-12", headers=reader)).text()
    cells = page_rows(html)["33"][1]
    assert list(cells) == ["accepted", "satisfaction", "old_rate"]
    assert cells["satisfaction"] == ("0.75", "75.00%（3/4）") and cells["old_rate"] == ("0.3333", "33.33%（1/3）")
    raw = await (await client.get("/api/assessments/2025-12/export", headers=reader)).read()
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[4:] == ["受理工单数", "客户满意率", "客户满意率·分子（满意及基本满意）", "客户满意率·分母（已评价）",
                          "old_rate", "old_rate·分子（分子）", "old_rate·分母（分母）"]
    assert row[4:] == ["7", "75.00%", "3", "4", "33.33%", "1", "3"]
