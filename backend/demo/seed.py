"""Seed an empty database with a small, realistic, deterministic demo province.

Everything random comes from one ``random.Random(rng_seed)``, and "now" is
fixed to ``today`` (Asia/Shanghai), so the same seed and day give the same
customers, bills and notices. Password hashes are the exception: argon2 salts
them randomly, as it must.

Bills: 12 per account, ending with the last month completed before ``today``.
Each bill is issued on the 1st of the following month and falls due on the
tariff's due day (Zhejiang: the 15th of the following month). Usage is
simulated from the start of the tier year of the first bill so that the
tier reached in each month is right. A payment that would fall on or after
``today`` has not happened yet, so the bill is still open.
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import func, insert, select
from sqlalchemy.orm import sessionmaker

from backend.billing import (
    Tariff,
    due_date_for,
    format_period,
    get_tariff,
    last_complete_period,
    parse_period,
    price_month,
    shift_period,
    tier_year_of,
)
from backend.models import Account, Area, Bill, Outage, OutageScope, PlaceAlias, StaffUser, Unit

from . import province as P

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class _Area:
    key: tuple[str, str]  # (county, community/village)
    row: dict
    line: str
    transformers: list[str] = field(default_factory=list)


def _local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def _units() -> list[dict]:
    code, name = P.PROVINCE
    rows = [{"id": code, "name": name, "level": "province", "parent_id": None}]
    for city in P.CITIES:
        rows.append({"id": city.code, "name": P.city_company(city), "level": "city", "parent_id": code})
        for county in city.counties:
            rows.append({"id": county.code, "name": P.county_company(county), "level": "county",
                         "parent_id": city.code})
            rows += [{"id": s.code, "name": s.name, "level": "station", "parent_id": county.code}
                     for s in county.stations]
    return rows


def _areas(rng: random.Random) -> list[_Area]:
    areas: list[_Area] = []
    for city in P.CITIES:
        for county in city.counties:
            numbers: dict[str, int] = {}  # 台区 are numbered per street, like "千岛湖镇3号台区"
            for station in county.stations:
                for street, name, site, line in station.areas:
                    area = _Area((county.name, name), {
                        "name": name, "city": city.name, "county": county.name, "street": street,
                        "site_class": site, "unit_id": station.code,
                    }, line)
                    for _ in range(rng.randint(*P.TRANSFORMER_AREAS[site])):
                        numbers[street] = numbers.get(street, 0) + 1
                        area.transformers.append(f"{street}{numbers[street]}号台区")
                    areas.append(area)
    return areas


def _name(rng: random.Random, county: str) -> str:
    she = county.startswith("景宁") and rng.random() < 0.35
    surname = rng.choice(P.SHE_SURNAMES if she else P.SURNAMES)
    pool = rng.choice(P.GIVEN_CHARS)
    return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


def _address(rng: random.Random, area: _Area) -> str:
    row = area.row
    prefix = f"浙江省{row['city']}{row['county']}{row['street']}{row['name']}"
    if row["name"].endswith("村"):
        return f"{prefix}{rng.randint(1, 260)}号"
    floor = rng.randint(1, 18)
    return f"{prefix}{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{floor}{rng.randint(1, 4):02d}室"


def _accounts(rng: random.Random, areas: list[_Area], first_period: str) -> list[dict]:
    weights = [P.ACCOUNT_WEIGHT[a.row["site_class"]] for a in areas]
    picked = rng.choices(range(len(areas)), weights=weights, k=P.TOTAL_ACCOUNTS)
    year, month = parse_period(first_period)
    opened_before = date(year, month, 1).toordinal()
    seen: set[str] = set()
    rows: list[dict] = []
    for index in picked:
        area = areas[index]
        city_code = area.row["unit_id"][:4]
        number = ""
        while not number or number in seen:
            number = f"330{city_code[2:]}{rng.randrange(10 ** 8):08d}"
        seen.add(number)
        prepaid = rng.random() < P.PREPAID_SHARE
        opened = date.fromordinal(rng.randint(date(2008, 1, 1).toordinal(), opened_before - 1))
        rows.append({
            "account_no": number,
            "name": _name(rng, area.row["county"]),
            "phone": rng.choice(P.PHONE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}",
            "address": _address(rng, area),
            "area_key": area.key,
            "transformer_area": rng.choice(area.transformers),
            "tariff": P.TARIFF_KEY,
            "time_of_use": rng.random() < P.TIME_OF_USE_SHARE,
            "prepaid": prepaid,
            "balance": Decimal(rng.randint(1500, 30000)) / 100 if prepaid else Decimal("0.00"),
            "status": "normal",
            "created_at": _local(opened, 9),
        })
    # Behaviour decides payments; disconnection needs long arrears, so it is
    # only given to post-paid accounts.
    postpaid = [r for r in rows if not r["prepaid"]]
    for row in rng.sample(postpaid, P.DISCONNECTED_COUNT):
        row["status"] = "disconnected_arrears"
    for row in rows:
        draw = rng.random()
        if row["prepaid"]:
            row["behaviour"] = "prepaid"
        elif row["status"] == "disconnected_arrears":
            row["behaviour"] = "disconnected"
        elif draw < P.ARREARS_SHARE:
            row["behaviour"] = "arrears"
        elif draw < P.ARREARS_SHARE + P.LATE_PAYER_SHARE:
            row["behaviour"] = "late"
        else:
            row["behaviour"] = "good"
    return rows


def _periods(first: str, last: str) -> Iterator[str]:
    period = first
    while period <= last:
        yield period
        period = shift_period(period, 1)


def _usage(rng: random.Random, tariff: Tariff, account: dict, site: str,
           window: list[str]) -> list[dict]:
    """Priced monthly usage for the window, simulated from its tier-year start."""
    median = P.MEDIAN_KWH[site] * (P.HEAVY_USER_FACTOR if rng.random() < P.HEAVY_USER_SHARE else 1)
    base = rng.lognormvariate(math.log(median), P.KWH_SPREAD)
    valley_share = rng.uniform(*P.VALLEY_SHARE)
    year, month = parse_period(window[0])
    start = format_period(tier_year_of(tariff, year, month), tariff.tier_year_start_month)
    annual = 0
    out: list[dict] = []
    for period in _periods(start, window[-1]):
        month = parse_period(period)[1]
        if month == tariff.tier_year_start_month:
            annual = 0
        kwh = max(0, round(base * P.SEASONAL[month] * rng.uniform(0.88, 1.12)))
        peak = valley = None
        if account["time_of_use"]:
            valley = round(kwh * min(1.0, max(0.0, valley_share + rng.uniform(-0.03, 0.03))))
            peak = kwh - valley
        charge = price_month(tariff, annual, kwh, peak, valley)
        annual = charge.annual_kwh
        if period >= window[0]:
            out.append({"period": period, "kwh_total": kwh, "kwh_peak": peak, "kwh_valley": valley,
                        "annual_kwh": charge.annual_kwh, "tier": charge.tier, "amount": charge.amount})
    return out


def _pay(rng: random.Random, tariff: Tariff, account: dict, bills: list[dict], today: date) -> None:
    behaviour = account["behaviour"]
    unpaid_tail = {"arrears": rng.randint(1, 3), "disconnected": rng.randint(3, 4)}.get(behaviour, 0)
    for i, bill in enumerate(bills):
        year, month = parse_period(shift_period(bill["period"], 1))
        issued = date(year, month, 1)
        bill["due_date"] = due = due_date_for(tariff, bill["period"])
        bill["paid_amount"], bill["paid_at"] = Decimal("0.00"), None
        if bill["amount"] == 0:
            continue
        if behaviour == "prepaid":  # deducted from the balance at monthly settlement
            bill["paid_amount"], bill["paid_at"] = bill["amount"], _local(issued, 0, 30)
            continue
        if i >= len(bills) - unpaid_tail:
            # The oldest open bill of an arrears account is sometimes part paid.
            if behaviour == "arrears" and i == len(bills) - unpaid_tail and rng.random() < 0.3:
                bill["paid_amount"] = (bill["amount"] / 2).quantize(Decimal("0.01"))
                bill["paid_at"] = _local(due - timedelta(days=2), 19, 12)
            continue
        if behaviour in ("late", "disconnected") and rng.random() < 0.4:
            paid_on = due + timedelta(days=rng.randint(1, 25))
        else:
            paid_on = issued + timedelta(days=rng.randint(1, (due - issued).days))
        if paid_on < today:
            bill["paid_amount"] = bill["amount"]
            bill["paid_at"] = _local(paid_on, rng.randint(8, 21), rng.randint(0, 59))


def _outages(rng: random.Random, areas: dict[tuple[str, str], _Area], area_ids: dict,
             today: date) -> list[Outage]:
    notices: list[Outage] = []
    for plan in P.OUTAGE_PLANS:
        covered = [areas[key] for key in plan.areas]
        first = covered[0].row
        hour, minute = map(int, plan.start.split(":"))
        start = _local(today + timedelta(days=plan.day), hour, minute)
        transformer = rng.choice(covered[0].transformers) if plan.single_transformer else None
        names = "、".join(a.row["name"] for a in covered)
        text = f"{first['county']}{first['street']}{names}"
        text += f"（{transformer}供电范围）" if transformer else "全部用户"
        scopes = ([OutageScope(area_id=area_ids[covered[0].key], transformer_area=transformer)]
                  if transformer else
                  [OutageScope(area_id=area_ids[a.key], transformer_area=None) for a in covered])
        notices.append(Outage(
            type=plan.type, status=plan.status, start_at=start,
            expected_end_at=start + timedelta(hours=plan.hours),
            restored_at=(start + timedelta(hours=plan.restored_after)
                         if plan.restored_after is not None else None),
            published_at=start - timedelta(hours=plan.notice_hours),
            area_text=text, city=first["city"], county=first["county"], street=first["street"],
            community=names, line="、".join(dict.fromkeys(a.line for a in covered)),
            transformer_area=transformer, reason=plan.reason, unit_id=first["unit_id"],
            customers_interrupted=plan.customers, scopes=scopes,
        ))
    return notices


def _staff() -> list[dict]:
    hasher = PasswordHasher()
    return [{"username": s["username"], "display_name": s["display_name"], "role": s["role"],
             "unit_id": s["unit_id"], "password_hash": hasher.hash(s["password"]), "active": True}
            for s in P.DEMO_STAFF]


def _aliases() -> list[dict]:
    cities = {county.name: city.name for city in P.CITIES for county in city.counties}
    return [{"alias": alias, "level": level, "area_id": None, "city": cities[county], "county": county,
             "street": street} for alias, level, county, street in P.PLACE_ALIASES]


async def seed_demo(
    session_factory: sessionmaker, *, today: date | None = None, rng_seed: int = 95598
) -> dict[str, int]:
    """Fill an empty database with the demo province; return row counts.

    Does nothing and returns ``{}`` if any unit exists, so it is safe to call
    on every start. Tickets are not created here.
    """
    today = today or datetime.now(TZ).date()
    rng = random.Random(rng_seed)
    tariff = get_tariff(P.TARIFF_KEY)
    last = last_complete_period(today)
    window = list(_periods(shift_period(last, -11), last))

    async with session_factory() as session, session.begin():
        if await session.scalar(select(func.count()).select_from(Unit)):
            return {}
        units = _units()
        areas = _areas(rng)
        by_key = {a.key: a for a in areas}
        accounts = _accounts(rng, areas, window[0])
        bills_by_account: dict[str, list[dict]] = {}
        for account in accounts:
            site = by_key[account["area_key"]].row["site_class"]
            bills = _usage(rng, tariff, account, site, window)
            _pay(rng, tariff, account, bills, today)
            bills_by_account[account["account_no"]] = bills

        await session.execute(insert(Unit), units)
        await session.execute(insert(Area), [a.row for a in areas])
        area_ids = {(county, name): id_ for id_, county, name in
                    (await session.execute(select(Area.id, Area.county, Area.name))).all()}
        await session.execute(insert(Account), [
            {k: v for k, v in a.items() if k not in ("area_key", "behaviour")}
            | {"area_id": area_ids[a["area_key"]]} for a in accounts])
        account_ids = dict((await session.execute(select(Account.account_no, Account.id))).all())
        bill_rows = [b | {"account_id": account_ids[no]}
                     for no, bills in bills_by_account.items() for b in bills]
        await session.execute(insert(Bill), bill_rows)
        outages = _outages(rng, by_key, area_ids, today)
        session.add_all(outages)
        await session.execute(insert(StaffUser), _staff())
        aliases = _aliases()
        await session.execute(insert(PlaceAlias), aliases)
        await session.flush()
    return {
        "units": len(units),
        "areas": len(areas),
        "accounts": len(accounts),
        "bills": len(bill_rows),
        "outages": len(outages),
        "outage_scopes": sum(len(o.scopes) for o in outages),
        "staff_users": len(P.DEMO_STAFF),
        "place_aliases": len(aliases),
    }
