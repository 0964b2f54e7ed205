"""Demo seeding: counts, realism constraints and idempotency on a tmp SQLite DB."""
from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from backend.billing import bill_status, due_date_for, get_tariff, price_month
from backend.db import create_engine, migrate, session_factory
from backend.demo import DEMO_STAFF, seed_demo
from backend.kpi import indicators
from backend.models import Account, Area, Bill, Outage, OutageScope, StaffUser, Unit

TODAY = date(2026, 11, 26)
SH = ZoneInfo("Asia/Shanghai")


async def _create(url: str, **kwargs) -> dict[str, int]:
    engine = create_engine(url)
    try:
        await migrate(engine)
        return await seed_demo(session_factory(engine), today=TODAY, **kwargs)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[str, dict[str, int]]:
    # Seeded once per module (it is the slow part); each test opens its own engine.
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('demo')}/t.db"
    return url, asyncio.run(_create(url))


async def _fetch(url: str, stmt):
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return (await session.execute(stmt)).all()
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_counts(seeded):
    url, counts = seeded
    assert 950 <= counts["accounts"] <= 1050
    assert counts["bills"] == 12 * counts["accounts"]
    assert counts["staff_users"] >= 4
    per_account = await _fetch(url, select(Bill.account_id, func.count()).group_by(Bill.account_id))
    assert len(per_account) == counts["accounts"]
    assert {n for _, n in per_account} == {12}
    periods = {p for (p,) in await _fetch(url, select(Bill.period).distinct())}
    assert min(periods) == "2025-11" and max(periods) == "2026-10"  # last complete month


@pytest.mark.asyncio
async def test_unit_tree_and_areas(seeded):
    url, _ = seeded
    units = await _fetch(url, select(Unit.id, Unit.name, Unit.level, Unit.parent_id))
    levels = Counter(level for _, _, level, _ in units)
    assert levels["province"] == 1 and levels["city"] == 3 and levels["county"] == 6
    assert 12 <= levels["station"] <= 18
    assert ("33", "国网浙江省电力有限公司", "province", None) in units
    assert all(name.endswith("供电所") for _, name, level, _ in units if level == "station")
    areas = await _fetch(url, select(Area.name, Area.county, Area.street, Area.site_class))
    assert {c for _, c, _, _ in areas} >= {"淳安县", "桐庐县", "象山县", "宁海县", "景宁畲族自治县", "遂昌县"}
    assert all(street[-1] in "道镇乡" for _, _, street, _ in areas)
    remote = {county for _, county, _, site in areas if site == "remote"}
    assert {"淳安县", "景宁畲族自治县"} <= remote
    assert {site for *_, site in areas} == {"urban", "rural", "remote"}


@pytest.mark.asyncio
async def test_accounts_realistic(seeded):
    url, _ = seeded
    rows = await _fetch(url, select(Account.account_no, Account.phone, Account.transformer_area,
                                    Account.time_of_use, Account.prepaid, Account.status))
    numbers = [r[0] for r in rows]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"330\d{10}", n) for n in numbers)
    assert all(re.fullmatch(r"1[3-9]\d{9}", r[1]) for r in rows)
    shared = Counter(r[2] for r in rows)
    assert all(re.fullmatch(r".+[街道镇乡]\d+号台区", t) for t in shared)
    assert max(shared.values()) >= 5  # several accounts per 台区
    assert 200 < sum(r[3] for r in rows) < 500  # time-of-use is common but optional
    assert 0 < sum(r[4] for r in rows) < 80
    assert 0 < sum(r[5] == "disconnected_arrears" for r in rows) < 20


@pytest.mark.asyncio
async def test_bills_priced_and_arrears(seeded):
    url, _ = seeded
    tariff = get_tariff("zhejiang")
    bills = [b for (b,) in await _fetch(url, select(Bill).order_by(Bill.account_id, Bill.period))]
    # A TOU January bill (first month of the tier year) reprices exactly.
    january = next(b for b in bills if b.period == "2026-01" and b.kwh_peak is not None)
    charge = price_month(tariff, 0, january.kwh_total, january.kwh_peak, january.kwh_valley)
    assert (charge.amount, charge.tier, charge.annual_kwh) == (
        january.amount, january.tier, january.annual_kwh)
    assert {b.tier for b in bills} == {1, 2, 3}
    # Due on the 15th of the following month, across the year end too.
    assert {b.due_date for b in bills if b.period == "2025-12"} == {date(2026, 1, 15)}
    assert all(b.due_date == due_date_for(tariff, b.period) for b in bills)
    # Summer is the peak month.
    by_month = Counter()
    for b in bills:
        by_month[b.period[5:]] += b.kwh_total
    assert by_month["08"] > by_month["04"] * 1.5
    statuses = [bill_status(b, TODAY, tariff) for b in bills]
    overdue = [s for s in statuses if s["status"] == "overdue"]
    assert 0.9 * len(bills) < sum(s["status"] == "paid" for s in statuses) < len(bills)
    assert overdue and all(s["late_fee"] >= Decimal("1.00") for s in overdue)
    assert any(s["disconnectable"] for s in overdue)
    # Payments never lie in the future of the seeding day.
    assert all(b.paid_at < datetime.combine(TODAY, datetime.min.time(), SH) for b in bills if b.paid_at)


@pytest.mark.asyncio
async def test_disconnected_accounts_have_old_arrears(seeded):
    url, _ = seeded
    tariff = get_tariff("zhejiang")
    rows = await _fetch(url, select(Bill).join(Account).where(Account.status == "disconnected_arrears"))
    worst: dict[int, int] = {}
    for (bill,) in rows:
        days = bill_status(bill, TODAY, tariff)["days_overdue"]
        worst[bill.account_id] = max(worst.get(bill.account_id, 0), days)
    assert worst and all(days > tariff.disconnect_after_days_overdue for days in worst.values())


@pytest.mark.asyncio
async def test_outages_around_today(seeded):
    url, _ = seeded
    outages = [o for (o,) in await _fetch(url, select(Outage))]
    start_of_day = datetime.combine(TODAY, datetime.min.time(), SH)
    end_of_day = start_of_day + timedelta(days=1)
    past = [o for o in outages if o.expected_end_at < start_of_day]
    current = [o for o in outages if o.start_at < end_of_day and o.expected_end_at >= start_of_day]
    future = [o for o in outages if o.start_at >= end_of_day]
    assert past and current and future
    assert all(o.status == "restored" and o.restored_at for o in past)
    assert any(o.status == "in_progress" for o in current)
    assert {o.type for o in outages} == {"planned", "temporary", "fault"}
    for o in outages:
        assert o.reason and o.line.startswith("10kV") and o.area_text
        if o.type == "planned":
            assert o.start_at - o.published_at >= timedelta(days=7)
        if o.type == "temporary":
            assert o.start_at - o.published_at >= timedelta(hours=24)
        assert o.published_at <= end_of_day
    scopes = await _fetch(url, select(OutageScope.outage_id, OutageScope.transformer_area))
    assert {oid for oid, _ in scopes} == {o.id for o in outages}
    assert any(t is None for _, t in scopes) and any(t for _, t in scopes)


@pytest.mark.asyncio
async def test_staff_passwords_hashed(seeded):
    url, _ = seeded
    users = {u.username: u for (u,) in await _fetch(url, select(StaffUser))}
    assert {u.role for u in users.values()} == {"admin", "supervisor", "agent"}
    assert sum(u.role == "agent" for u in users.values()) >= 2
    hasher = PasswordHasher()
    for demo in DEMO_STAFF:
        user = users[demo["username"]]
        assert user.password_hash.startswith("$argon2id$")
        assert demo["password"] not in user.password_hash
        assert hasher.verify(user.password_hash, demo["password"])


@pytest.mark.asyncio
async def test_a_shift_has_two_agents_and_a_supervisor_of_the_contact_centre(seeded):
    """The transcript rule lets only the root unit's staff serve every conversation: the demo's
    shift (agent1, agent2, lead) must be theirs, or new customers would wait unseen."""
    url, _ = seeded
    users = {u.username: u for (u,) in await _fetch(url, select(StaffUser))}
    (root,) = [u.id for (u,) in await _fetch(url, select(Unit).where(Unit.parent_id.is_(None)))]
    assert {name: (users[name].role, users[name].unit_id) for name in ("agent1", "agent2", "lead")} == {
        "agent1": ("agent", root), "agent2": ("agent", root), "lead": ("supervisor", root)}
    assert users["chunan"].unit_id != root and users["supervisor"].unit_id != root


@pytest.mark.asyncio
async def test_second_call_is_noop(seeded):
    url, counts = seeded
    assert await _create(url) == {}
    assert await _fetch(url, select(func.count()).select_from(Account)) == [(counts["accounts"],)]


@pytest.mark.asyncio
async def test_deterministic(tmp_path, seeded):
    url, _ = seeded
    other = f"sqlite+aiosqlite:///{tmp_path}/again.db"
    await _create(other)
    stmt = select(Account.account_no, Account.name, Account.transformer_area).order_by(Account.id)
    assert await _fetch(url, stmt) == await _fetch(other, stmt)
    stmt = select(Bill.amount, Bill.paid_amount).order_by(Bill.id)
    assert await _fetch(url, stmt) == await _fetch(other, stmt)


@pytest.mark.asyncio
async def test_outage_record_gives_a_realistic_reliability(seeded):
    url, _ = seeded
    outages = [o for (o,) in await _fetch(url, select(Outage))]
    before = [o for o in outages if o.start_at < datetime.combine(TODAY - timedelta(days=14), datetime.min.time(), SH)]
    assert {o.type for o in before} == {"planned", "temporary", "fault"}
    assert all(o.status == "restored" for o in before)
    recorded = [o.customers_interrupted for o in outages if o.customers_interrupted is not None]
    assert recorded and len(recorded) < len(outages)  # the others are counted from the accounts
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            october = await indicators(session, "33", datetime(2026, 10, 1, tzinfo=SH), datetime(2026, 11, 1, tzinfo=SH),
                                       datetime.combine(TODAY, datetime.min.time(), SH))
    finally:
        await engine.dispose()
    province = october["indicators"]["supply_reliability"]
    # Every account served for 744 hours; a few hours of one 台区 here and there: 99.9x %.
    assert province["denominator"] == 744 * await _count(url, Account)
    assert 0.999 < province["ratio"] < 1
    assert province["ratio"] < october["indicators"]["supply_reliability_excl_planned"]["ratio"] < 1
    assert all(0.995 < c["indicators"]["supply_reliability"]["ratio"] <= 1 for c in october["children"])


async def _count(url: str, table) -> int:
    return (await _fetch(url, select(func.count()).select_from(table).where(table.status != "closed")))[0][0]
