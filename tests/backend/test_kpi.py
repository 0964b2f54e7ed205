"""/api/kpi on a hand-computed data set built through the real API.

Timeline (Asia/Shanghai, March 2026; Tue 3/10 is the fixture's start):
station 33012701 (坪山社区, urban: arrival 45m) gets A1-A5, station 33012702
(下姜村, rural) B1-B5, the county 330127 keeps C1, the province root 33 gets
R1, and X1 is accepted in February (outside the March period).
"""
from __future__ import annotations

from datetime import datetime

import pytest

from backend.scheduler import sweep
from backend.sla.calendar import TZ
from tests.backend.units_fixture import seed_units

pytestmark = pytest.mark.asyncio
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def new(client, auth, type_: str, phone: str, **extra) -> str:
    body = {"type": type_, "description": "测试工单内容", "customer": {"phone": phone}, **extra}
    resp = await client.post("/api/tickets", json=body, headers=auth)
    assert resp.status == 201, await resp.text()
    return (await resp.json())["id"]


async def step(client, auth, ticket: str, kind: str, **extra) -> dict:
    resp = await client.post(f"/api/tickets/{ticket}/events", json={"kind": kind, **extra}, headers=auth)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def kpi(client, auth, **params) -> dict:
    resp = await client.get("/api/kpi", params=params, headers=auth)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def ratio(numerator: int, denominator: int, value: float | None) -> dict:
    return {"numerator": numerator, "denominator": denominator, "ratio": value}


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# The seed's first indicators; service compliance, supply reliability and satisfaction by source
# are tested in test_kpi_quality.py.
TICKET_INDICATORS = ("accepted", "satisfaction", "complaint_handling_rate", "complaint_timeliness_rate",
                     "repair_arrival_timeliness", "callback_rate", "overdue_count", "repeat_complaint_count")


def first_indicators(view: dict) -> dict:
    """`view` restricted to TICKET_INDICATORS, each ratio without its breakdown."""
    return {k: ratio(view[k]["numerator"], view[k]["denominator"], view[k]["ratio"])
            if isinstance(view[k], dict) else view[k] for k in TICKET_INDICATORS}


@pytest.fixture
async def dataset(platform, client, auth, units, clock):
    urban, rural = {"area": "坪山社区"}, {"area": "下姜村"}
    # X1: a February repair nobody touches; the first sweep breaches all its clocks.
    clock.set(cst("2026-02-20T09:00"))
    await new(client, auth, "fault_repair", "13700000011", **urban)

    clock.set(cst("2026-03-10T09:00"))
    a1 = await new(client, auth, "fault_repair", "13700000001", **urban)
    a2 = await new(client, auth, "fault_repair", "13700000002", **urban)
    a3 = await new(client, auth, "complaint", "13700000003", complaint_class="service", **urban)
    await new(client, auth, "complaint", "13700000004", complaint_class="service", **urban)  # A4
    a5 = await new(client, auth, "consultation", "13700000005", **urban)
    b1 = await new(client, auth, "complaint", "13700000006", complaint_class="business", **rural)
    b3 = await new(client, auth, "fault_repair", "13700000007", area="白马村")
    b4 = await new(client, auth, "praise", "13700000008", **rural)
    b5 = await new(client, auth, "report", "13700000012", **rural)
    c1 = await new(client, auth, "consultation", "13700000009", unit="330127")
    await new(client, auth, "suggestion", "13700000010")  # R1: no area, goes to the root

    clock.set(cst("2026-03-10T09:02"))
    for repair in (a1, a2, b3):
        await step(client, auth, repair, "dispatch")
        await step(client, auth, repair, "accept")
    clock.set(cst("2026-03-10T09:30"))
    await step(client, auth, a1, "arrive")  # due 09:45: on time
    clock.set(cst("2026-03-10T09:50"))
    await sweep(platform, clock())  # A2 arrival (due 09:45) breached; X1 dispatch/arrival/restore too
    clock.set(cst("2026-03-10T10:00"))
    arrived = await step(client, auth, a2, "arrive")  # late
    assert next(c for c in arrived["clocks"] if c["name"] == "arrival")["state"] == "met_late"
    clock.set(cst("2026-03-10T10:30"))
    for repair in (a1, a2):
        await step(client, auth, repair, "restore")
    clock.set(cst("2026-03-10T10:40"))
    await step(client, auth, a1, "callback", rating="satisfied")
    await step(client, auth, a2, "callback", rating="basically_satisfied")
    await step(client, auth, a5, "reply", note="已解答")
    for _ in range(3):  # the third unanswered attempt records callback_failed
        await step(client, auth, a5, "callback", rating="no_answer")
    await step(client, auth, b4, "reply", note="感谢表扬")  # praise: no callback clock
    await step(client, auth, b3, "close", reason="客户来电告知已自行恢复")  # arrival cancelled, not due
    clock.set(cst("2026-03-10T11:00"))
    await step(client, auth, a3, "contact")
    await step(client, auth, b1, "contact")

    clock.set(cst("2026-03-11T10:00"))
    await step(client, auth, a3, "reply", note="已核实并批评教育")  # round 1, due 3/17: on time
    await step(client, auth, a3, "callback", rating="dissatisfied")  # rework: reply round 2
    clock.set(cst("2026-03-12T10:00"))
    # C1's reply was due 3/11 24:00; no sweep runs before it is met, so it is late but not breached.
    replied = await step(client, auth, c1, "reply", note="已电话解答")
    reply = next(c for c in replied["clocks"] if c["name"] == "reply")
    assert reply["state"] == "met" and reply["due_at"] < cst("2026-03-12T10:00").isoformat()
    await step(client, auth, c1, "callback", rating="satisfied")

    clock.set(cst("2026-03-18T10:00"))
    # Breaches A4 first_contact (due 3/11) and reply (due 3/17 24:00), B1 reply (due 3/17 24:00).
    await sweep(platform, clock())
    clock.set(cst("2026-03-18T10:30"))
    await step(client, auth, b1, "reply", note="已处理")  # late
    await step(client, auth, b1, "callback", rating="satisfied")
    await step(client, auth, b5, "reply", note="已查处")  # callback clock now pending
    clock.set(cst("2026-03-18T11:00"))
    await step(client, auth, a3, "reply", note="已重新处理")  # round 2; its callback pending
    # B2: same customer and class as B1, closed within 90 days → repeat complaint.
    b2 = await new(client, auth, "complaint", "13700000006", complaint_class="business", **rural)
    detail = await (await client.get(f"/api/tickets/{b2}", headers=auth)).json()
    assert detail["is_repeat"] is True


async def test_station_indicators(client, auth, dataset):
    body = await kpi(client, auth, unit="33012701", **MARCH)
    assert body["unit"] == {"id": "33012701", "name": "千岛湖供电所", "level": "station"}
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert body["children"] == []
    assert first_indicators(body["indicators"]) == {
        "accepted": 5,  # A1-A5; X1 (February) is outside the period
        # rated: A1 satisfied, A2 basically, A3 dissatisfied; A5 callback_failed is not rated
        "satisfaction": ratio(2, 3, 0.6667),
        # complaints A3, A4; A3 replied (then reworked, now replied again), A4 never touched
        "complaint_handling_rate": ratio(1, 2, 0.5),
        # A3's round-1 reply 3/11 <= due 3/17
        "complaint_timeliness_rate": ratio(1, 1, 1.0),
        # A1 arrived 09:30 <= 09:45; A2 breached, arrived 10:00
        "repair_arrival_timeliness": ratio(1, 2, 0.5),
        # callback clocks: A1, A2, A3, A5; all had a callback (A3 dissatisfied, A5 failed)
        "callback_rate": ratio(4, 4, 1.0),
        "overdue_count": 2,  # A2 (arrival), A4 (first_contact, reply)
        "repeat_complaint_count": 0,
    }


async def test_county_rolls_up_sums_not_averages(client, auth, dataset):
    body = await kpi(client, auth, unit="330127", **MARCH)
    stations = {c["unit"]["id"]: c["indicators"] for c in body["children"]}
    assert list(stations) == ["33012701", "33012702"]
    assert first_indicators(stations["33012702"]) == {
        "accepted": 5,  # B1-B5
        "satisfaction": ratio(1, 1, 1.0),  # B1 satisfied
        "complaint_handling_rate": ratio(1, 2, 0.5),  # B1 closed; B2 (repeat) still open
        "complaint_timeliness_rate": ratio(0, 1, 0.0),  # B1 replied 3/18 > due 3/17
        # B3 was closed before its arrival was due: no outcome, so no denominator
        "repair_arrival_timeliness": ratio(0, 0, None),
        "callback_rate": ratio(1, 2, 0.5),  # B1 done, B5 pending; B4 praise has no clock
        "overdue_count": 1,  # B1 reply
        "repeat_complaint_count": 1,  # B2
    }
    # County = A (5) + B (5) + C1 kept by the county itself (satisfied, callback done,
    # reply met late → overdue). Satisfaction (2+1+1)/(3+1+1) = 0.8, whereas the mean of
    # the three ratios (0.6667, 1.0, 1.0) would be 0.8889.
    assert first_indicators(body["indicators"]) == {
        "accepted": 11,
        "satisfaction": ratio(4, 5, 0.8),
        "complaint_handling_rate": ratio(2, 4, 0.5),  # (1+1)/(2+2)
        "complaint_timeliness_rate": ratio(1, 2, 0.5),  # (1+0)/(1+1)
        "repair_arrival_timeliness": ratio(1, 2, 0.5),  # (1+0)/(2+0)
        "callback_rate": ratio(6, 7, 0.8571),  # (4+1+1)/(4+2+1)
        "overdue_count": 4,  # 2 + 1 + C1
        "repeat_complaint_count": 1,
    }


async def test_province_adds_its_own_tickets_above_the_child(client, auth, dataset):
    body = await kpi(client, auth, unit="33", **MARCH)
    assert body["indicators"]["accepted"] == 12  # county 11 + R1 kept by the province
    assert [c["unit"]["id"] for c in body["children"]] == ["3301"]
    assert body["children"][0]["indicators"]["accepted"] == 11
    assert body["children"][0]["indicators"]["callback_rate"] == ratio(6, 7, 0.8571)


async def test_period_filters_on_acceptance_day(client, auth, dataset):
    # Only X1, accepted 2/20: its arrival clock breached (resolved, late), no callback clock.
    february = await kpi(client, auth, unit="33012701", **{"from": "2026-02-01", "to": "2026-02-28"})
    assert february["indicators"]["accepted"] == 1
    assert february["indicators"]["repair_arrival_timeliness"] == ratio(0, 1, 0.0)
    assert february["indicators"]["overdue_count"] == 1
    # Tickets accepted on 3/10 are in a period ending 3/10 (to is inclusive) and none
    # in one starting 3/11 except B2, accepted 3/18.
    day = await kpi(client, auth, unit="330127", **{"from": "2026-03-10", "to": "2026-03-10"})
    assert day["indicators"]["accepted"] == 10
    later = await kpi(client, auth, unit="330127", **{"from": "2026-03-11", "to": "2026-03-31"})
    assert later["indicators"]["accepted"] == 1
    assert later["indicators"]["repeat_complaint_count"] == 1


async def test_period_boundaries_are_shanghai_days(client, auth, units, clock):
    for moment in ("2026-02-28T23:59:59", "2026-03-01T00:00:00", "2026-03-31T23:59:59",
                   "2026-04-01T00:00:00"):
        clock.set(cst(moment))
        await new(client, auth, "suggestion", "13700000001", unit="33012701")
    body = await kpi(client, auth, unit="33012701", **MARCH)
    assert body["indicators"]["accepted"] == 2


async def test_empty_period_has_null_ratios(client, auth, units):
    body = await kpi(client, auth, unit="330127", **{"from": "2026-01-01", "to": "2026-01-31"})
    indicators = body["indicators"]
    assert indicators["accepted"] == 0 and indicators["overdue_count"] == 0
    for name in ("satisfaction", "complaint_handling_rate", "complaint_timeliness_rate",
                 "repair_arrival_timeliness", "callback_rate", "service_compliance"):
        value = indicators[name]
        assert (value["numerator"], value["denominator"], value["ratio"]) == (0, 0, None)
    assert [c["indicators"]["satisfaction"]["ratio"] for c in body["children"]] == [None, None]


async def test_defaults_are_root_unit_and_month_to_date(client, auth, units):
    # The clock fixture stands at Tue 2026-03-10 09:00.
    body = await kpi(client, auth)
    assert body["unit"]["id"] == "33"
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-10"}
    only_to = await kpi(client, auth, to="2026-02-14")
    assert only_to["period"] == {"from": "2026-02-01", "to": "2026-02-14"}


@pytest.mark.parametrize("params", [
    {"from": "2026-03-10", "to": "2026-03-01"},
    {"from": "2026-04-01"},  # after today, the default end
    {"from": "2026/03/01"},
    {"to": "2026-02-30"},
    {"from": "1772323200"},
])
async def test_bad_dates_are_422_in_chinese(client, auth, units, params):
    resp = await client.get("/api/kpi", params=params, headers=auth)
    assert resp.status == 422
    message = (await resp.json())["error"]["message"]
    assert "日期" in message


async def test_unknown_unit_is_404(client, auth, units):
    resp = await client.get("/api/kpi", params={"unit": "9999"}, headers=auth)
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "unit_not_found"


async def test_requires_authentication(client, units):
    resp = await client.get("/api/kpi")
    assert resp.status == 401


async def test_documented_in_openapi(client):
    document = await (await client.get("/api/openapi.json")).json()
    operation = document["paths"]["/api/kpi"]["get"]
    assert operation["tags"] == ["indicators"]
    assert {p["name"] for p in operation["parameters"]} == {"unit", "from", "to"}
