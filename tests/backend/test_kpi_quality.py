"""/api/kpi's quality indicators (issue #8): service-standard compliance, satisfaction by source and
supply reliability, on hand-computed data (SQLite and PostgreSQL).

Compliance and satisfaction reuse test_kpi's March data set (its docstring has the timeline:
A1-A5 at station 33012701, B1-B5 at 33012702, C1 kept by the county 330127). Survey rows are
written directly (collecting them is another module's work). Reliability has its own accounts
and outages, listed above `outages`.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.models import Account, Area, Outage, OutageScope, StaffUser, Survey, Ticket, Unit
from tests.backend import test_kpi
from tests.backend.console.test_dashboard_export import staff_cookie
from tests.backend.test_kpi import MARCH, cst, kpi, ratio

pytestmark = pytest.mark.asyncio
dataset, units = test_kpi.dataset, test_kpi.units  # the fixtures, reused
STATION_A, STATION_B, COUNTY = "33012701", "33012702", "330127"
NO_BREACH = {"dispatch": 0, "arrival": 0, "restore": 0, "first_contact": 0, "reply": 0, "escalation": 0,
             "callback": 0}


def compliance(numerator: int, denominator: int, value: float | None, **breaches: int) -> dict:
    return ratio(numerator, denominator, value) | {"breaches": NO_BREACH | breaches}


async def test_service_compliance_per_station_and_rolled_up(client, auth, dataset):
    # Judged = no clock running and at least one with an outcome; compliant = none late.
    # A1 all four clocks on time: compliant. A2 arrival late: not. A3 its round-2 callback runs: not judged.
    # A4 first contact and reply breached, nothing running: judged, not compliant. A5 reply on time and
    # its callback done (failed, 3 attempts): compliant. → 2/4, breaches arrival 1, first_contact 1, reply 1.
    a = (await kpi(client, auth, unit=STATION_A, **MARCH))["indicators"]["service_compliance"]
    assert a == compliance(2, 4, 0.5, arrival=1, first_contact=1, reply=1)
    # B1 reply late: not compliant. B2 first contact runs, B5 callback runs: not judged. B3 closed: only its
    # dispatch has an outcome (arrival and restore cancelled before due): compliant. B4 praise replied, no
    # callback clock: compliant. → 2/3, reply 1.
    county = await kpi(client, auth, unit=COUNTY, **MARCH)
    b = {c["unit"]["id"]: c["indicators"]["service_compliance"] for c in county["children"]}
    assert b[STATION_B] == compliance(2, 3, 0.6667, reply=1)
    # County = A + B + C1 (reply met late, callback done: judged, not compliant): (2+2+0)/(4+3+1);
    # reply breaches A4 + B1 + C1.
    assert county["indicators"]["service_compliance"] == compliance(4, 8, 0.5, arrival=1, first_contact=1, reply=3)


async def add_survey(platform, **values) -> None:
    async with platform.sessions() as session:
        session.add(Survey(channel="web", **values))
        await session.commit()


async def test_satisfaction_by_source(platform, client, auth, dataset):
    async with platform.sessions() as session:
        # Creation order in the data set: X1, A1, A2, A3, A4, A5, B1, B3, B4, B5, C1, R1, B2.
        ids = (await session.scalars(select(Ticket.id).order_by(Ticket.id))).all()
    x1, a1, a4, a5, b4 = ids[0], ids[1], ids[4], ids[5], ids[8]
    on = cst("2026-03-19T10:00")

    def ticket(tid: int, unit: str, rating: str | None, answered: bool = True, hours: int = 0) -> dict:
        return {"subject": "ticket", "ticket_id": tid, "unit_id": unit, "rating": rating,
                "offered_at": on, "answered_at": on + timedelta(hours=hours) if answered else None}

    await add_survey(platform, **ticket(a1, STATION_A, "dissatisfied"))  # A1 has its callback rating: ignored
    await add_survey(platform, **ticket(a5, STATION_A, "satisfied"))  # A5's callback failed: counts
    await add_survey(platform, **ticket(a4, STATION_A, "dissatisfied", hours=1))  # A4: no callback,
    await add_survey(platform, **ticket(a4, STATION_A, "basically_satisfied", hours=5))  # the latest counts
    await add_survey(platform, **ticket(b4, STATION_B, None, answered=False))  # offered, never answered
    await add_survey(platform, **ticket(x1, STATION_A, "dissatisfied"))  # X1 was accepted in February
    chat = {"subject": "conversation", "rating": "dissatisfied", "answered_at": cst("2026-03-20T10:05")}
    await add_survey(platform, unit_id=STATION_B, offered_at=cst("2026-03-20T10:00"), **chat)  # counts
    await add_survey(platform, unit_id=STATION_B, offered_at=cst("2026-02-28T23:50"), **chat)  # February's
    await add_survey(platform, unit_id="3301", offered_at=cst("2026-03-20T10:00"), **chat)  # the city's own

    a = (await kpi(client, auth, unit=STATION_A, **MARCH))["indicators"]["satisfaction"]
    # callback: A1 satisfied, A2 basically, A3 dissatisfied → 2/3; survey: A5 satisfied, A4 basically → 2/2.
    assert a == ratio(4, 5, 0.8) | {"by_source": {"callback": ratio(2, 3, 0.6667), "survey": ratio(2, 2, 1.0)}}
    county = await kpi(client, auth, unit=COUNTY, **MARCH)
    b = next(c for c in county["children"] if c["unit"]["id"] == STATION_B)["indicators"]["satisfaction"]
    # callback: B1 satisfied → 1/1; survey: the March chat, dissatisfied → 0/1.
    assert b == ratio(1, 2, 0.5) | {"by_source": {"callback": ratio(1, 1, 1.0), "survey": ratio(0, 1, 0.0)}}
    # County: callback 2+1+C1 (satisfied) = 4/5, survey 2+0 = 2/3; total (4+2)/(5+3); the city's chat is not here.
    assert county["indicators"]["satisfaction"] == ratio(6, 8, 0.75) | {
        "by_source": {"callback": ratio(4, 5, 0.8), "survey": ratio(2, 3, 0.6667)}}
    city = (await kpi(client, auth, unit="3301", **MARCH))["indicators"]["satisfaction"]
    assert city["by_source"]["survey"] == ratio(2, 4, 0.5)  # the county's 2/3 and the city's own chat 0/1
    february = await kpi(client, auth, unit=STATION_B, **{"from": "2026-02-01", "to": "2026-02-28"})
    assert february["indicators"]["satisfaction"]["by_source"]["survey"] == ratio(0, 1, 0.0)


# Reliability data (Asia/Shanghai; March 2026 has 31 × 24 = 744 hours):
# accounts served: station A (坪山社区) 9: the units fixture's one on 坪山3号台区, 5 on 坪山1号台区,
#   3 on 坪山2号台区; station B 9: 下姜村 5 (a sixth is closed) and 白马村 4.
# O1 planned, restored, A, 坪山社区 whole + its 坪山1号台区 again: 3/5 08:00-12:00 → 9 customers (once) × 4 h = 36
# O2 fault, restored, A, 坪山1号台区: 3/31 22:00 - 4/1 01:00 → clipped to 2 h × 5 = 10
# O3 temporary, restored, B, 下姜村, 3 customers recorded: 3/12 13:00-14:30 → 3 × 1.5 h = 4.5
# O4 fault, in progress, B, 白马村: since 3/31 20:00, still off on 4/2 → up to 3/31 24:00: 4 h × 4 = 16
# O5 planned, restored, published by the county 330127 over 下姜村: 3/20 09:00-11:00 → 2 h × 5 = 10 (county only)
# O6 planned, cancelled, B; O7 planned, still scheduled although its start is past; O8 fault in February: none count.
OUTAGES = (
    # type, status, unit, start, restored (None: not restored), scopes (area id, 台区), recorded customers
    ("planned", "restored", STATION_A, "2026-03-05T08:00", "2026-03-05T12:00", ((1, None), (1, "坪山1号台区")), None),
    ("fault", "restored", STATION_A, "2026-03-31T22:00", "2026-04-01T01:00", ((1, "坪山1号台区"),), None),
    ("temporary", "restored", STATION_B, "2026-03-12T13:00", "2026-03-12T14:30", ((2, None),), 3),
    ("fault", "in_progress", STATION_B, "2026-03-31T20:00", None, ((3, None),), None),
    ("planned", "restored", COUNTY, "2026-03-20T09:00", "2026-03-20T11:00", ((2, None),), None),
    ("planned", "cancelled", STATION_B, "2026-03-15T08:00", None, ((2, None), (3, None)), None),
    ("planned", "scheduled", STATION_B, "2026-03-25T08:00", None, ((3, None),), None),
    ("fault", "restored", STATION_A, "2026-02-27T10:00", "2026-02-28T10:00", ((1, None),), None),
)
ACCOUNTS = ((1, "坪山1号台区", 5, "normal"), (1, "坪山2号台区", 3, "normal"), (2, "下姜1号台区", 4, "normal"),
            (2, "下姜1号台区", 1, "disconnected_arrears"), (2, "下姜1号台区", 1, "closed"), (3, "白马1号台区", 4, "normal"))


@pytest.fixture
async def outages(platform, units, clock):
    clock.set(cst("2026-04-02T09:00"))
    async with platform.sessions() as session:
        n = 0
        for area, transformer, count, status in ACCOUNTS:
            for _ in range(count):
                n += 1
                session.add(Account(account_no=f"33012700{n:05d}", name="测试", phone="13900000000", address="测试地址",
                                    area_id=area, transformer_area=transformer, tariff="zhejiang", status=status))
        for type_, status, unit, start, restored, scopes, customers in OUTAGES:
            begin = cst(start)
            session.add(Outage(
                type=type_, status=status, start_at=begin, expected_end_at=begin + timedelta(hours=3),
                restored_at=cst(restored) if restored else None, published_at=begin - timedelta(days=8),
                area_text="测试停电范围", city="杭州市", reason="测试", unit_id=unit, customers_interrupted=customers,
                scopes=[OutageScope(area_id=a, transformer_area=t) for a, t in scopes]))
        await session.commit()


def reliability(interrupted: float, served: float) -> dict:
    return {"numerator": round(served - interrupted, 2), "denominator": served,
            "ratio": round(1 - interrupted / served, 6)}


async def test_supply_reliability_per_station_and_rolled_up(client, auth, outages):
    body = await kpi(client, auth, unit=COUNTY, **MARCH)
    stations = {c["unit"]["id"]: c["indicators"] for c in body["children"]}
    served = 9 * 744  # customer-hours of each station: 6696
    a, b = stations[STATION_A], stations[STATION_B]
    assert a["supply_reliability"] == reliability(36 + 10, served)  # 0.99313, shown 99.3130 %
    assert a["supply_reliability_excl_planned"] == reliability(10, served)  # O1 is planned
    assert b["supply_reliability"] == reliability(4.5 + 16, served)
    assert b["supply_reliability_excl_planned"] == reliability(4.5 + 16, served)  # temporary and fault
    # The county adds numerators and denominators, plus its own O5: 1 − (46 + 20.5 + 10) / (18 × 744).
    county = body["indicators"]
    assert county["supply_reliability"] == reliability(46 + 20.5 + 10, 2 * served)
    assert county["supply_reliability"]["ratio"] == 0.994288
    assert county["supply_reliability_excl_planned"] == reliability(10 + 20.5, 2 * served)
    # The mean of the stations' ratios would be (0.993130 + 0.996938) / 2 = 0.995034, and would miss O5.
    february = await kpi(client, auth, unit=STATION_A, **{"from": "2026-02-01", "to": "2026-02-28"})
    # O8 from 2/27 10:00 to its restoration on 2/28 10:00: 24 h × 9 customers, of 9 × 672 h.
    assert february["indicators"]["supply_reliability"] == reliability(24 * 9, 9 * 672)


async def test_month_to_date_counts_the_hours_elapsed_and_running_outages_up_to_now(platform, client, auth, outages,
                                                                                    clock):
    # At 3/31 23:00 O2 (since 22:00) and O4 (since 20:00) are still off: neither restored yet.
    clock.set(cst("2026-03-31T23:00"))
    async with platform.sessions() as session:
        o2 = await session.scalar(select(Outage).where(Outage.start_at == cst("2026-03-31T22:00")))
        o2.status, o2.restored_at = "in_progress", None
        await session.commit()
    body = await kpi(client, auth, unit=STATION_A, **{"from": "2026-03-01", "to": "2026-03-31"})
    # 743 hours have elapsed; O1 36 + O2 1 h × 5.
    assert body["indicators"]["supply_reliability"] == reliability(36 + 5, 9 * 743)
    b = await kpi(client, auth, unit=STATION_B, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert b["indicators"]["supply_reliability"] == reliability(4.5 + 3 * 4, 9 * 743)  # O4: 3 h so far


async def test_a_period_without_hours_or_customers_has_no_figure(client, auth, outages):
    future = await kpi(client, auth, unit=COUNTY, **{"from": "2026-04-03", "to": "2026-04-05"})  # after now (4/2)
    assert future["indicators"]["supply_reliability"] == {"numerator": 0.0, "denominator": 0.0, "ratio": None}
    province = await kpi(client, auth, unit="33", **MARCH)
    assert province["indicators"]["supply_reliability"]["denominator"] == 18 * 744  # no accounts of its own


async def test_another_city_sees_nothing_of_these_and_they_see_nothing_of_it(platform, client, auth, outages,
                                                                             clock):
    async with platform.sessions() as session:
        session.add(Unit(id="3302", name="国网宁波供电公司", level="city", parent_id="33"))
        await session.flush()
        session.add(Area(id=9, name="渔港社区", city="宁波市", county="象山县", street="石浦镇", site_class="urban",
                         unit_id="3302"))
        await session.flush()
        session.add(Account(account_no="3302000000001", name="测试", phone="13900000001", address="测试地址",
                            area_id=9, transformer_area="石浦1号台区", tariff="zhejiang"))
        session.add(Outage(type="fault", status="restored", start_at=cst("2026-03-08T08:00"),
                           expected_end_at=cst("2026-03-08T12:00"), restored_at=cst("2026-03-08T12:00"),
                           published_at=cst("2026-03-08T08:10"), area_text="渔港社区", city="宁波市", reason="测试",
                           unit_id="3302", scopes=[OutageScope(area_id=9)]))
        session.add(Survey(subject="conversation", channel="web", unit_id="3302", rating="dissatisfied",
                           offered_at=cst("2026-03-08T09:00"), answered_at=cst("2026-03-08T09:01")))
        for username, unit in (("sup_ningbo", "3302"), ("sup_county", COUNTY)):
            session.add(StaffUser(username=username, display_name=username, password_hash="x", role="supervisor",
                                  unit_id=unit))
        await session.commit()
    ningbo = await staff_cookie(platform, clock, "sup_ningbo")
    refused = await client.get("/api/kpi", params={"unit": COUNTY, **MARCH}, headers=ningbo)
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "outside_unit"
    own = await kpi(client, ningbo, **MARCH)  # the default is the caller's own unit
    assert own["unit"]["id"] == "3302"
    assert own["indicators"]["supply_reliability"] == reliability(4, 744)  # only its one customer, 4 h
    assert own["indicators"]["satisfaction"]["by_source"]["survey"] == ratio(0, 1, 0.0)
    county = await kpi(client, await staff_cookie(platform, clock, "sup_county"), **MARCH)
    assert county["unit"]["id"] == COUNTY
    assert county["indicators"]["supply_reliability"] == reliability(76.5, 18 * 744)  # as without Ningbo
    assert county["indicators"]["satisfaction"]["by_source"]["survey"] == ratio(0, 0, None)


async def test_the_answer_is_described_in_openapi(client):
    document = await (await client.get("/api/openapi.json")).json()
    described = document["paths"]["/api/kpi"]["get"]["responses"]["200"]["description"]
    assert all(key in described for key in ("by_source", "breaches", "supply_reliability_excl_planned"))
