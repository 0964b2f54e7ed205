"""Account data only after an identity check (PIPL), masked, with bills as of today."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.models import Account, Bill
from backend.sla.calendar import TZ
from tests.backend.units_fixture import seed_units

pytestmark = pytest.mark.asyncio

ACCOUNT = "3301234567890"  # 王建国, 13812345678, 坪山社区12幢301 (units_fixture)
OTHER = "3301234560002"
RIGHT, WRONG = "5678", "1234"
RAW = ("王建国", "13812345678", "3301234567890", "12幢301")


@pytest.fixture
async def units(platform):
    await seed_units(platform)
    async with platform.sessions() as session:
        session.add(Account(account_no=OTHER, name="姜大伯", phone="13700002222", address="下姜村1号",
                            area_id=2, transformer_area="下姜1号台区", tariff="zhejiang"))
        await session.commit()


async def verify(client, auth, account_no=ACCOUNT, last4=RIGHT):
    return await client.post("/api/accounts/verify", json={"account_no": account_no,
                                                           "phone_last4": last4}, headers=auth)


async def test_right_last4_verifies_and_everything_personal_is_masked(client, auth, units):
    resp = await verify(client, auth)
    assert resp.status == 200
    text = await resp.text()
    for raw in RAW:
        assert raw not in text
    body = await resp.json()
    assert body["verified"] is True
    account = body["account"]
    assert account["account_no"] == "*********7890"
    assert account["name"] == "王**"
    assert account["phone"] == "138****5678"
    assert account["address"] == "杭州市淳安县千岛湖镇坪山社区****"


async def test_account_details(client, auth, platform, units):
    async with platform.sessions() as session:
        row = await session.scalar(select(Account).where(Account.account_no == ACCOUNT))
        row.prepaid, row.time_of_use, row.balance = True, True, Decimal("35.60")
        await session.commit()
    resp = await client.get(f"/api/accounts/{ACCOUNT}", params={"phone_last4": RIGHT}, headers=auth)
    assert resp.status == 200
    for raw in RAW:
        assert raw not in await resp.text()
    account = await resp.json()
    assert account["area"]["name"] == "坪山社区"
    assert account["area"]["site_class"] == "urban" and account["area"]["site_class_name"] == "城区"
    assert account["area"]["unit"] == {"id": "33012701", "name": "千岛湖供电所"}
    assert account["transformer_area"] == "坪山3号台区"
    assert account["status"] == "normal" and account["status_name"] == "正常"
    assert account["prepaid"] is True and account["time_of_use"] is True
    assert account["balance"] == "35.60"


async def test_wrong_last4_and_unknown_account_look_the_same(client, auth, units):
    wrong = await verify(client, auth, last4=WRONG)
    unknown = await verify(client, auth, account_no="3309999999999")
    assert wrong.status == unknown.status == 403
    assert (await wrong.json())["error"] == (await unknown.json())["error"]
    error = (await wrong.json())["error"]
    assert error["code"] == "identity_mismatch" and "手机号码后四位" in error["message"]
    resp = await client.get(f"/api/accounts/{ACCOUNT}", params={"phone_last4": WRONG}, headers=auth)
    assert resp.status == 403
    resp = await client.get(f"/api/accounts/{ACCOUNT}/bills", params={"phone_last4": WRONG}, headers=auth)
    assert resp.status == 403


async def test_lockout_after_max_failures_then_release(client, auth, platform, units, clock):
    limit = platform.rules.identity_max_failures
    for _ in range(limit - 1):
        assert (await verify(client, auth, last4=WRONG)).status == 403
    # Failures on any route count together.
    resp = await client.get(f"/api/accounts/{ACCOUNT}", params={"phone_last4": WRONG}, headers=auth)
    assert resp.status == 403
    locked = await verify(client, auth)  # even the right answer is refused while locked
    assert locked.status == 429
    error = (await locked.json())["error"]
    assert error["code"] == "too_many_attempts" and "15分钟" in error["message"]
    resp = await client.get(f"/api/accounts/{ACCOUNT}/bills", params={"phone_last4": RIGHT}, headers=auth)
    assert resp.status == 429
    # Another account is not affected.
    assert (await verify(client, auth, account_no=OTHER, last4="2222")).status == 200
    clock.advance(minutes=platform.rules.identity_lockout_minutes - 1)
    assert (await verify(client, auth)).status == 429
    clock.advance(minutes=1)
    assert (await verify(client, auth)).status == 200


async def test_success_resets_and_old_failures_expire(client, auth, platform, units, clock):
    limit = platform.rules.identity_max_failures
    for _ in range(limit - 1):
        await verify(client, auth, last4=WRONG)
    assert (await verify(client, auth)).status == 200
    for _ in range(limit - 1):
        assert (await verify(client, auth, last4=WRONG)).status == 403
    clock.advance(minutes=platform.rules.identity_lockout_minutes)
    for _ in range(limit - 1):
        assert (await verify(client, auth, last4=WRONG)).status == 403
    assert (await verify(client, auth)).status == 200


@pytest.mark.parametrize("body", [
    {"account_no": ACCOUNT}, {"phone_last4": RIGHT}, {"account_no": "12345", "phone_last4": RIGHT},
    {"account_no": ACCOUNT, "phone_last4": "56a8"}, {"account_no": ACCOUNT, "phone_last4": "５６７８"},
    {"account_no": ACCOUNT, "phone_last4": "5678", "id_card": "x"},
])
async def test_bad_verify_input_is_422_and_costs_no_attempt(client, auth, platform, units, body):
    for _ in range(platform.rules.identity_max_failures + 1):
        resp = await client.post("/api/accounts/verify", json=body, headers=auth)
        assert resp.status == 422
    assert (await verify(client, auth)).status == 200


@pytest.mark.parametrize("path, params", [
    (f"/api/accounts/{ACCOUNT}", {}),
    ("/api/accounts/33012", {"phone_last4": RIGHT}),
    (f"/api/accounts/{ACCOUNT}/bills", {"phone_last4": RIGHT, "months": "0"}),
    (f"/api/accounts/{ACCOUNT}/bills", {"phone_last4": RIGHT, "months": "lots"}),
])
async def test_bad_query_is_422(client, auth, units, path, params):
    resp = await client.get(path, params=params, headers=auth)
    assert resp.status == 422


async def test_needs_authentication(client, units):
    assert (await client.post("/api/accounts/verify", json={"account_no": ACCOUNT,
                                                            "phone_last4": RIGHT})).status == 401
    resp = await client.get(f"/api/accounts/{ACCOUNT}", params={"phone_last4": RIGHT})
    assert resp.status == 401


# --- bills ----------------------------------------------------------------------------------

# period, amount, paid, due date (Zhejiang: the 15th of the following month)
BILLS = [
    ("2025-10", "5.00", "0", date(2025, 11, 15)),
    ("2025-11", "200.00", "150.00", date(2025, 12, 15)),
    ("2025-12", "180.00", "180.00", date(2026, 1, 15)),
    ("2026-01", "120.50", "0", date(2026, 2, 15)),
    ("2026-02", "98.00", "0", date(2026, 3, 15)),
]


@pytest.fixture
async def bills(platform, units):
    async with platform.sessions() as session:
        account = await session.scalar(select(Account).where(Account.account_no == ACCOUNT))
        annual = 0
        for period, amount, paid, due in BILLS:
            annual = annual + 200 if not period.endswith("-01") else 200
            session.add(Bill(account_id=account.id, period=period, kwh_total=200, kwh_peak=None,
                             kwh_valley=None, annual_kwh=annual, tier=1, amount=Decimal(amount),
                             paid_amount=Decimal(paid), due_date=due))
        await session.commit()


async def get_bills(client, auth, **params):
    resp = await client.get(f"/api/accounts/{ACCOUNT}/bills",
                            params={"phone_last4": RIGHT, **params}, headers=auth)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_bills_newest_first_with_arrears_and_late_fees(client, auth, bills):
    body = await get_bills(client, auth)  # today: 2026-03-10
    assert body["as_of"] == "2026-03-10"
    assert [b["period"] for b in body["items"]] == ["2026-02", "2026-01", "2025-12", "2025-11", "2025-10"]
    by = {b["period"]: b for b in body["items"]}
    # Not due until 03-15: owed, but no late fee yet.
    assert {k: by["2026-02"][k] for k in ("arrears", "late_fee", "days_overdue", "status")} == {
        "arrears": "98.00", "late_fee": "0.00", "days_overdue": 0, "status": "unpaid"}
    # 23 days after 02-15: 120.50 × 1‰ × 23 = 2.7715 → 2.77.
    assert (by["2026-01"]["days_overdue"], by["2026-01"]["late_fee"]) == (23, "2.77")
    assert by["2025-12"]["arrears"] == "0.00" and by["2025-12"]["status"] == "paid"
    # Partly paid: the fee runs on the 50.00 still open, 85 days → 4.25.
    assert (by["2025-11"]["arrears"], by["2025-11"]["late_fee"]) == ("50.00", "4.25")
    # 5.00 × 1‰ × 115 = 0.575 is below the 1-yuan minimum.
    assert (by["2025-10"]["days_overdue"], by["2025-10"]["late_fee"]) == (115, "1.00")
    assert by["2026-01"]["amount"] == "120.50" and by["2026-01"]["paid"] == "0.00"
    assert by["2026-01"]["kwh_total"] == 200 and by["2026-01"]["tier"] == 1
    assert by["2026-01"]["annual_kwh"] == 200 and by["2026-01"]["kwh_peak"] is None
    assert body["arrears_total"] == "273.50" and body["late_fee_total"] == "8.02"
    assert body["account_no"] == "*********7890"


async def test_months_limits_the_list_but_not_what_is_owed(client, auth, bills):
    body = await get_bills(client, auth, months="2")
    assert [b["period"] for b in body["items"]] == ["2026-02", "2026-01"]
    assert body["arrears_total"] == "273.50" and body["late_fee_total"] == "8.02"


async def test_today_is_the_beijing_day(client, auth, bills, clock):
    clock.set(datetime(2026, 3, 15, 23, 30, tzinfo=TZ))
    by = {b["period"]: b for b in (await get_bills(client, auth))["items"]}
    assert by["2026-02"]["days_overdue"] == 0
    clock.set(datetime(2026, 3, 16, 0, 30, tzinfo=TZ))  # still the 15th in UTC
    by = {b["period"]: b for b in (await get_bills(client, auth))["items"]}
    assert (by["2026-02"]["days_overdue"], by["2026-02"]["late_fee"]) == (1, "1.00")
    assert by["2026-02"]["status"] == "overdue"
