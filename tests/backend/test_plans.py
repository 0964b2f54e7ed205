"""Improvement plans (整改, backend/plans.py) through /api/plans, on SQLite and PostgreSQL.

The data is test_dashboard_export's March 2026 in the county 淳安 (330127): its station 汾口
(RURAL) has 1 overdue ticket and 0/1 complaints handled; 千岛湖 (URBAN) a satisfaction of 1/2.
The clock stands at Thu 2026-03-12 12:00 (Asia/Shanghai) when the plans are made.
Another city (宁波, 3302) and its station are added, so its supervisor can try the county's plans.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from backend.models import AuditEntry, StaffUser, Unit
from tests.backend.console.test_dashboard_export import COUNTY, RURAL, URBAN, month_of_march, staff_cookie
from tests.backend.test_kpi import cst

OTHER_CITY, OTHER_STATION = "3302", "33020101"
STAFF = (("sup_county", "supervisor", COUNTY), ("sup_rural", "supervisor", RURAL),
         ("sup_urban", "supervisor", URBAN), ("agent_rural", "agent", RURAL), ("agent_urban", "agent", URBAN),
         ("sup_ningbo", "supervisor", OTHER_CITY), ("agent_ningbo", "agent", OTHER_STATION), ("admin", "admin", "33"))
OVERDUE_PLAN = {
    "indicator": "overdue_count", "unit": RURAL, "from": "2026-03-01", "to": "2026-03-31",
    "problem": "汾口供电所3月出现超时工单，客户13812345678反映首次联系不及时。", "target": 0,
    "measures": "每日早班核对未联系工单，超过2小时未联系的由所长督办。", "responsible_unit": RURAL,
    "due_date": "2026-03-31",
}


@pytest.fixture
async def world(platform, client, auth, clock):
    """March's tickets, the other city, and STAFF; returns a cookie maker by username."""
    await month_of_march(platform, client, auth, clock)
    async with platform.sessions() as session:
        session.add(Unit(id=OTHER_CITY, name="国网宁波供电公司", level="city", parent_id="33"))
        await session.flush()
        session.add(Unit(id=OTHER_STATION, name="鄞州供电所", level="station", parent_id=OTHER_CITY))
        await session.flush()
        for username, role, unit in STAFF:
            session.add(StaffUser(username=username, display_name=username, password_hash="x", role=role,
                                  unit_id=unit))
        await session.commit()

    async def cookie(username: str) -> dict[str, str]:
        return await staff_cookie(platform, clock, username)

    return cookie


async def make(client, headers, **changes) -> tuple[int, dict]:
    resp = await client.post("/api/plans", json={**OVERDUE_PLAN, **changes}, headers=headers)
    return resp.status, await resp.json()


async def act(client, headers, number: str, what: str, **body) -> tuple[int, dict]:
    resp = await client.post(f"/api/plans/{number}/{what}", json=body, headers=headers)
    return resp.status, await resp.json()


async def test_a_plan_is_made_worked_and_completed_beside_its_indicator(client, world, clock, platform):
    county = await world("sup_county")
    status, plan = await make(client, county)
    assert status == 201, plan
    number = plan["id"]
    assert number.startswith("ZG20260312") and len(number) == 16
    assert plan["status"] == "in_progress" and plan["indicator"] == "overdue_count"
    assert plan["unit"] == {"id": RURAL, "name": "汾口供电所"} and plan["responsible_unit"]["id"] == RURAL
    assert plan["baseline"] == {"value": 1, "numerator": None, "denominator": None}  # March's 1 overdue ticket
    assert plan["target"] == {"op": "<=", "value": 0}  # a count should fall
    assert "138****5678" in plan["problem"] and "13812345678" not in plan["problem"]
    assert plan["current"]["value"] == 1 and plan["current"]["met"] is False
    assert plan["current"]["period"] == {"from": "2026-03-01", "to": "2026-03-12"}
    assert plan["may"] == {"progress": True, "complete": True, "withdraw": True}
    assert plan["created_by"] == {"username": "sup_county", "name": "sup_county"}

    # The station's agent reads it and may do nothing; its supervisor works it.
    agent = await (await client.get(f"/api/plans/{number}", headers=await world("agent_rural"))).json()
    assert agent["may"] == {"progress": False, "complete": False, "withdraw": False}
    rural = await world("sup_rural")
    before = await (await client.get(f"/api/plans/{number}", headers=rural)).json()
    assert before["may"] == {"progress": True, "complete": True, "withdraw": False}  # the county set it
    clock.set(cst("2026-03-13T09:00"))  # a new day, a new login (sessions last a shift)
    rural = await world("sup_rural")
    status, worked = await act(client, rural, number, "progress", note="  已安排早班核对，本周无新增超时。 ")
    assert status == 201
    notes = [(e["by"]["username"], e["note"]) for e in worked["progress"]]
    assert notes == [("sup_rural", "已安排早班核对，本周无新增超时。")]  # trimmed
    assert worked["progress"][0]["at"] == "2026-03-13T09:00:00+08:00"

    clock.set(cst("2026-03-20T16:00"))
    rural, county = await world("sup_rural"), await world("sup_county")
    status, done = await act(client, rural, number, "complete", note="措施已落实，纳入所务例会检查。")
    assert status == 200, done
    assert done["status"] == "completed"
    completion = done["completion"]
    # The month so far (3/1-3/20) still holds March's overdue ticket: completed, target not met.
    assert completion["value"] == 1 and completion["met"] is False
    assert completion["period"] == {"from": "2026-03-01", "to": "2026-03-20"}
    assert completion["by"]["username"] == "sup_rural" and completion["note"] == "措施已落实，纳入所务例会检查。"
    assert done["may"] == {"progress": False, "complete": False, "withdraw": False}

    for what, body in (("progress", {"note": "补充说明"}), ("complete", {"note": "再次完成"}),
                       ("withdraw", {"reason": "不再需要"})):
        status, refused = await act(client, county, number, what, **body)
        assert status == 409 and refused["error"]["code"] == "plan_closed", what
        assert "已完成" in refused["error"]["message"]

    async with platform.sessions() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.target_id == number)
                                         .order_by(AuditEntry.id))).all()
    assert [(e.action, e.actor, e.unit_id) for e in entries] == [
        ("plan.create", "staff:sup_county", RURAL), ("plan.progress", "staff:sup_rural", RURAL),
        ("plan.complete", "staff:sup_rural", RURAL)]
    assert entries[0].details["target"] == "<= 0" and entries[2].details["value"] == 1


async def test_a_ratio_target_and_the_dashboards_month(client, world, clock):
    county = await world("sup_county")
    status, plan = await make(client, county, indicator="satisfaction", unit=URBAN, responsible_unit=URBAN,
                              target=0.9, problem="千岛湖供电所3月满意率仅50%，不满意集中在投诉答复。")
    assert status == 201, plan
    assert plan["baseline"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert plan["target"] == {"op": ">=", "value": 0.9}  # a ratio should rise
    listed = await (await client.get("/api/plans", params={"unit": COUNTY, "month": "2026-03"},
                                     headers=county)).json()
    assert listed["total"] == 1
    assert listed["plans"][0]["current"] == {"value": 0.5, "numerator": 1, "denominator": 2, "met": False,
                                             "period": {"from": "2026-03-01", "to": "2026-03-31"}}
    # Made in March: not in progress in February, nor shown for it.
    before = await (await client.get("/api/plans", params={"unit": COUNTY, "month": "2026-02"},
                                     headers=county)).json()
    assert before["total"] == 0
    assert "current" not in (await (await client.get("/api/plans", headers=county)).json())["plans"][0]


async def test_overdue_is_shown_and_filtered_and_a_plan_is_withdrawn(client, world, clock, platform):
    county = await world("sup_county")
    _, late = await make(client, county, due_date="2026-03-15")
    _, timely = await make(client, county, indicator="complaint_handling_rate", target=1, due_date="2026-04-30")

    async def numbers(**params) -> list[str]:
        body = await (await client.get("/api/plans", params=params, headers=county)).json()
        return [p["id"] for p in body["plans"]]

    assert await numbers(status="overdue") == []
    clock.set(cst("2026-03-16T08:00"))  # 3/15 was the last day
    county = await world("sup_county")
    assert await numbers(status="overdue") == [late["id"]] == await numbers(overdue="true")
    assert await numbers(status="in_progress") == [timely["id"]] == await numbers(overdue="false")
    assert await numbers(indicator="complaint_handling_rate") == [timely["id"]]
    assert (await (await client.get(f"/api/plans/{late['id']}", headers=county)).json())["status"] == "overdue"

    # The station's supervisor works it but does not take the county's plan back.
    status, refused = await act(client, await world("sup_rural"), late["id"], "withdraw", reason="指标已恢复")
    assert status == 403 and refused["error"]["code"] == "not_plan_owner"
    status, short = await act(client, county, late["id"], "withdraw", reason="  ")
    assert status == 422
    status, gone = await act(client, county, late["id"], "withdraw", reason="与另一整改计划重复，合并办理。")
    assert status == 200 and gone["status"] == "withdrawn"
    assert gone["withdrawal"]["reason"] == "与另一整改计划重复，合并办理。"
    assert await numbers(status="withdrawn") == [late["id"]]
    assert await numbers(status="overdue") == []
    async with platform.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.withdraw"))
    assert (entry.target_id, entry.actor, entry.reason) == (late["id"], "staff:sup_county", "与另一整改计划重复，合并办理。")


@pytest.mark.parametrize(("changes", "status", "code", "words"), [
    ({"indicator": "no_such"}, 422, "invalid_indicator", "未知的考核指标"),
    ({"indicator": "accepted"}, 422, "invalid_indicator", "不作为整改目标"),
    ({"indicator": "satisfaction", "target": 95}, 422, "invalid_target", "0.95表示95%"),
    ({"target": 1.5}, 422, "invalid_target", "整数"),
    ({"target": -1}, 422, "invalid_target", "整数"),
    ({"target_op": "=="}, 422, "invalid_input", "target_op"),
    ({"due_date": "2026-03-11"}, 422, "invalid_due_date", "不能早于今天"),
    ({"from": "2026-03-10", "to": "2026-03-01"}, 422, "invalid_period", "不能晚于结束日期"),
    ({"from": "2026-04-01", "to": "2026-04-30"}, 422, "invalid_period", "不能晚于今天开始"),
    ({"due_date": "1773302400"}, 422, "invalid_input", "YYYY-MM-DD"),
    ({"problem": "   "}, 422, "invalid_input", "内容过短"),
    ({"measures": "x" * 2001}, 422, "invalid_input", "内容过长"),
    ({"owner": "me"}, 422, "invalid_input", "不支持该字段"),
    ({"responsible_unit": OTHER_STATION}, 403, "outside_unit", "本单位及下级单位"),
    ({"unit": "3399"}, 404, "unit_not_found", "未找到单位"),
])
async def test_bad_plans_are_refused_in_chinese(client, world, changes, status, code, words):
    got, body = await make(client, await world("sup_county"), **changes)
    assert (got, body["error"]["code"]) == (status, code), body
    assert words in body["error"]["message"] or any(words in d["message"] for d in body["error"].get("details", []))


async def test_a_non_finite_target_is_refused(client, world):
    body = json.dumps({**OVERDUE_PLAN, "target": float("nan")})  # Python writes NaN; JSON has no such number
    assert "NaN" in body
    resp = await client.post("/api/plans", data=body,
                             headers={**await world("sup_county"), "Content-Type": "application/json"})
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "invalid_target"


async def test_other_units_and_agents_are_kept_out(client, world):
    county = await world("sup_county")
    _, plan = await make(client, county)
    number = plan["id"]
    ningbo, agent_urban = await world("sup_ningbo"), await world("agent_urban")
    for headers in (ningbo, agent_urban, await world("agent_ningbo")):
        resp = await client.get(f"/api/plans/{number}", headers=headers)
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit"
        listed = await (await client.get("/api/plans", headers=headers)).json()
        assert listed["plans"] == [] and listed["total"] == 0
    for what, body in (("progress", {"note": "越权记录"}), ("complete", {"note": "越权完成"}),
                       ("withdraw", {"reason": "越权撤销"})):
        status, refused = await act(client, ningbo, number, what, **body)
        assert status == 403 and refused["error"]["code"] == "outside_unit", what
        status, refused = await act(client, await world("sup_urban"), number, what, **body)
        assert status == 403 and refused["error"]["code"] == "outside_unit", what
        status, refused = await act(client, await world("agent_rural"), number, what, **body)
        assert status == 403 and refused["error"]["code"] == "role_not_allowed", what
    resp = await client.get("/api/plans", params={"unit": COUNTY}, headers=ningbo)
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit"
    status, refused = await make(client, ningbo)  # a plan for another city's station
    assert status == 403 and refused["error"]["code"] == "outside_unit"
    status, refused = await make(client, await world("agent_rural"))
    assert status == 403 and refused["error"]["code"] == "role_not_allowed"
    resp = await client.get("/api/plans/ZG20260312999999", headers=county)
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "plan_not_found"
    # The admin sees every unit's plans.
    assert (await (await client.get("/api/plans", headers=await world("admin"))).json())["total"] == 1
