"""GET /api/kpi/export against a hand-computed month and GET /api/kpi (SQLite and PostgreSQL).

March 2026 in the county 淳安 (330127) and its two stations, built through the real API with the
test clock (Tue 3/10 09:00 is the fixture's start):
- P1 repair at 坪山社区 (station 33012701, urban: arrival 45 min): on site 09:30, restored, called back satisfied;
- P2 complaint at 坪山社区: contacted, replied 3/11 (round 1 on time), called back dissatisfied (rework);
- Q1 complaint at 下姜村 (station 33012702): never touched; the 3/12 sweep breaches its first contact;
- Q2 consultation at 下姜村: replied at once, called back basically satisfied;
- F1 a fault outage of 坪山社区 (its one account) on 3/11 from 08:00 to 08:36, restored.
"""
from __future__ import annotations

import csv
import io
import secrets
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from backend.api.auth import hash_token
from backend.console import wording as say
from backend.kpi import percent_decimals
from backend.models import AuditEntry, Outage, OutageScope, StaffSession, StaffUser
from backend.scheduler import sweep
from glossary import names
from tests.backend.test_kpi import cst, new, ratio, step
from tests.backend.units_fixture import seed_units

COUNTY, URBAN, RURAL = "330127", "33012701", "33012702"
# By hand, from the module docstring (definitions: backend/kpi.py).
EXPECTED = {
    COUNTY: {"accepted": 4, "satisfaction": ratio(2, 3, 0.6667), "complaint_handling_rate": ratio(1, 2, 0.5),
             "complaint_timeliness_rate": ratio(1, 1, 1.0), "repair_arrival_timeliness": ratio(1, 1, 1.0),
             "callback_rate": ratio(3, 3, 1.0), "overdue_count": 1, "repeat_complaint_count": 0},
    URBAN: {"accepted": 2, "satisfaction": ratio(1, 2, 0.5), "complaint_handling_rate": ratio(1, 1, 1.0),
            "complaint_timeliness_rate": ratio(1, 1, 1.0), "repair_arrival_timeliness": ratio(1, 1, 1.0),
            "callback_rate": ratio(2, 2, 1.0), "overdue_count": 0, "repeat_complaint_count": 0},
    RURAL: {"accepted": 2, "satisfaction": ratio(1, 1, 1.0), "complaint_handling_rate": ratio(0, 1, 0.0),
            "complaint_timeliness_rate": ratio(0, 0, None), "repair_arrival_timeliness": ratio(0, 0, None),
            "callback_rate": ratio(1, 1, 1.0), "overdue_count": 1, "repeat_complaint_count": 0},
}
# The quality indicators on the same month: judged tickets (no clock running) P1 and Q2, both on time (P2's
# round-2 reply and Q1's reply still run); no survey, so satisfaction is all callback; reliability: the one
# account (坪山社区, station 33012701) over March's 744 hours once March is over (the tests read it from
# 4/2), 0.6 h of it off (F1): 1 − 0.6 / 744 = 0.999194, shown 99.9194 %.
NO_BREACH = dict.fromkeys(("dispatch", "arrival", "restore", "first_contact", "reply", "escalation", "callback"), 0)
SUPPLIED = {"numerator": 743.4, "denominator": 744.0, "ratio": 0.999194}
NO_SUPPLY = {"numerator": 0.0, "denominator": 0.0, "ratio": None}
for unit, judged, supply in ((COUNTY, 2, SUPPLIED), (URBAN, 1, SUPPLIED), (RURAL, 1, NO_SUPPLY)):
    EXPECTED[unit]["satisfaction"] = EXPECTED[unit]["satisfaction"] | {
        "by_source": {"callback": EXPECTED[unit]["satisfaction"], "survey": ratio(0, 0, None)}}
    EXPECTED[unit] |= {"service_compliance": ratio(judged, judged, 1.0) | {"breaches": NO_BREACH},
                       "supply_reliability": supply, "supply_reliability_excl_planned": supply}
STAFF = (("sup_county", "supervisor", COUNTY), ("sup_rural", "supervisor", RURAL), ("agent_county", "agent", COUNTY),
         ("admin", "admin", "33"))


async def month_of_march(platform, client, auth, clock) -> None:
    """The data set of the module docstring."""
    await seed_units(platform)
    urban, rural = {"area": "坪山社区"}, {"area": "下姜村"}
    clock.set(cst("2026-03-10T09:00"))
    p1 = await new(client, auth, "fault_repair", "13700000101", **urban)
    p2 = await new(client, auth, "complaint", "13700000102", complaint_class="service", **urban)
    await new(client, auth, "complaint", "13700000103", complaint_class="business", **rural)  # Q1
    q2 = await new(client, auth, "consultation", "13700000104", **rural)
    clock.set(cst("2026-03-10T09:02"))
    await step(client, auth, p1, "dispatch")
    await step(client, auth, p1, "accept")
    clock.set(cst("2026-03-10T09:30"))
    await step(client, auth, p1, "arrive")
    await step(client, auth, p2, "contact")
    await step(client, auth, q2, "reply", note="已解答")
    clock.set(cst("2026-03-10T10:30"))
    await step(client, auth, p1, "restore")
    await step(client, auth, p1, "callback", rating="satisfied")
    await step(client, auth, q2, "callback", rating="basically_satisfied")
    clock.set(cst("2026-03-11T10:00"))
    await step(client, auth, p2, "reply", note="已核实处理")
    await step(client, auth, p2, "callback", rating="dissatisfied")
    async with platform.sessions() as session:
        session.add(Outage(type="fault", status="restored", start_at=cst("2026-03-11T08:00"),
                           expected_end_at=cst("2026-03-11T10:00"), restored_at=cst("2026-03-11T08:36"),
                           published_at=cst("2026-03-11T08:05"), area_text="坪山社区", city="杭州市",
                           reason="低压线路故障", unit_id=URBAN, scopes=[OutageScope(area_id=1)]))
        await session.commit()
    clock.set(cst("2026-03-12T12:00"))
    await sweep(platform, clock())


async def staff_cookie(platform, clock, username: str) -> dict[str, str]:
    """A live session of one of STAFF (created directly: the login is tested elsewhere)."""
    token = secrets.token_urlsafe(16)
    async with platform.sessions() as session:
        user_id = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
        session.add(StaffSession(token_hash=hash_token(token), user_id=user_id, expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session={token}"}


@pytest.fixture
async def march(platform, client, auth, clock) -> None:
    await month_of_march(platform, client, auth, clock)
    async with platform.sessions() as session:
        for username, role, unit in STAFF:
            session.add(StaffUser(username=username, display_name=username, password_hash="x", role=role, unit_id=unit))
        await session.commit()


def api_rows(body: dict) -> list[tuple[str, dict]]:
    return [(body["unit"]["id"], body["indicators"]),
            *((c["unit"]["id"], c["indicators"]) for c in body["children"])]


async def test_export_matches_the_api_and_the_hand_computed_month(client, platform, clock, march):
    clock.set(cst("2026-04-02T09:00"))  # March is over: EXPECTED's reliability counts all its hours
    sup = await staff_cookie(platform, clock, "sup_county")
    api = await client.get("/api/kpi", params={"unit": COUNTY, "from": "2026-03-01", "to": "2026-03-31"}, headers=sup)
    body = await api.json()
    assert dict(api_rows(body)) == EXPECTED

    resp = await client.get("/api/kpi/export", params={"unit": COUNTY, "month": "2026-03", "format": "csv"}, headers=sup)
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert 'filename="kpi-330127-2026-03.csv"' in resp.headers["Content-Disposition"]
    raw = await resp.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese headers as UTF-8
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["单位编码"] for r in table] == [COUNTY, URBAN, RURAL]
    assert table[0]["统计范围"] == "本单位及下级合计" and table[0]["考核月份"] == "2026-03"
    for row, (unit, values) in zip(table, api_rows(body), strict=True):
        for key, name in say.INDICATORS.items():
            value = values[key]
            if isinstance(value, int):
                assert row[name] == str(value), (unit, key)
                continue
            num, den = say.RATIO_PARTS[key]
            digits = percent_decimals().get(key, 2)  # 4 for supply reliability
            assert row[name] == ("" if value["ratio"] is None else f"{value['ratio'] * 100:.{digits}f}%"), (unit, key)
            assert row[f"{name}·分子（{num}）"] == str(value["numerator"])
            assert row[f"{name}·分母（{den}）"] == str(value["denominator"])
    assert table[0]["客户满意率"] == "66.67%" and table[2]["投诉处理及时率"] == ""
    assert table[0]["供电可靠率"] == "99.9194%" and table[0]["供电可靠率·分子（供电户时数）"] == "743.4"
    assert table[2]["供电可靠率"] == "" and table[2]["供电可靠率·分母（统计户时数）"] == "0.0"
    # The breakdowns follow their indicator: satisfaction by source, compliance by commitment breached.
    assert (table[0]["客户满意率·回访"], table[0]["客户满意率·回访·分子（满意及基本满意）"],
            table[0]["客户满意率·回访·分母（已评价）"]) == ("66.67%", "2", "3")
    assert (table[0]["客户满意率·问卷"], table[0]["客户满意率·问卷·分母（已评价）"]) == ("", "0")
    assert [table[0][f"服务规范执行情况·超时工单（{part}）"] for part in names.DEADLINES.values()] == ["0"] * 7

    resp = await client.get("/api/kpi/export", params={"unit": COUNTY, "month": "2026-03", "format": "xlsx"},
                            headers=sup)
    assert resp.status == 200 and resp.content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(await resp.read())).active
    assert sheet.title == "考核表 2026-03"
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header, data = cells[0], cells[1:]
    assert header == [c for c in csv.reader(io.StringIO(raw.decode("utf-8-sig")))][0]
    for row, (unit, values) in zip(data, api_rows(body), strict=True):
        got = dict(zip(header, row, strict=True))
        assert got["单位编码"] == unit
        for key, name in say.INDICATORS.items():
            value = values[key]
            assert got[name] == (value if isinstance(value, int) else value["ratio"]), (unit, key)
    ratio_cell = sheet.cell(row=2, column=header.index("客户满意率") + 1)
    assert ratio_cell.value == 0.6667 and ratio_cell.number_format == "0.00%"
    reliability = sheet.cell(row=2, column=header.index("供电可靠率") + 1)
    assert reliability.value == 0.999194 and reliability.number_format == "0.0000%"
    source = sheet.cell(row=2, column=header.index("客户满意率·回访") + 1)
    assert source.value == 0.6667 and source.number_format == "0.00%"

    async with platform.sessions() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "kpi.export")
                                          .order_by(AuditEntry.id))).all()
    assert [(e.actor, e.target_id, e.unit_id, e.details) for e in entries] == [
        (entries[0].actor, COUNTY, COUNTY, {"month": "2026-03", "format": "csv"}),
        (entries[0].actor, COUNTY, COUNTY, {"month": "2026-03", "format": "xlsx"})]
    assert "sup_county" in entries[0].actor


async def test_export_is_for_supervisors_of_the_unit_and_admins(client, platform, clock, march, auth):
    query = {"unit": COUNTY, "month": "2026-03"}
    other = await client.get("/api/kpi/export", params=query, headers=await staff_cookie(platform, clock, "sup_rural"))
    assert other.status == 403 and (await other.json())["error"]["code"] == "outside_unit"
    agent = await client.get("/api/kpi/export", params=query, headers=await staff_cookie(platform, clock, "agent_county"))
    assert agent.status == 403 and (await agent.json())["error"]["code"] == "role_not_allowed"
    service = await client.get("/api/kpi/export", params=query, headers=auth)
    assert service.status == 403 and (await service.json())["error"]["code"] == "role_not_allowed"
    assert (await client.get("/api/kpi/export", params=query)).status == 401
    admin = await client.get("/api/kpi/export", params=query, headers=await staff_cookie(platform, clock, "admin"))
    assert admin.status == 200
    own = await client.get("/api/kpi/export", params={"unit": RURAL, "month": "2026-03"},
                           headers=await staff_cookie(platform, clock, "sup_rural"))
    assert own.status == 200 and [r[1] for r in csv.reader(io.StringIO(await own.text()))][1:] == [RURAL]
    bad = await client.get("/api/kpi/export", params={**query, "month": "2026-13", "format": "pdf"},
                           headers=await staff_cookie(platform, clock, "admin"))
    assert bad.status == 422
    async with platform.sessions() as session:
        exported = (await session.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "kpi.export"))).all()
    assert sorted(exported) == [COUNTY, RURAL]  # refusals export nothing and write nothing
