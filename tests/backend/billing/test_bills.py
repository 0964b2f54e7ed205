"""Bill state on a day: arrears, days overdue and late fee, hand-computed.

Zhejiang: bills fall due on the 15th of the following month; the late fee is
1‰ of the arrears per day after the due date, at least 1.00 yuan.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.billing import (
    account_balance,
    bill_status,
    due_date_for,
    last_complete_period,
    load_tariff,
    parse_period,
    shift_period,
)
from backend.models import Account, Bill
from backend.settings import CONFIG_DIR


@pytest.fixture(scope="module")
def zj():
    return load_tariff(CONFIG_DIR / "tariffs" / "zhejiang.yml")


def make_bill(amount: str, paid: str = "0", period: str = "2026-10",
              due: date = date(2026, 11, 15)) -> Bill:
    return Bill(period=period, kwh_total=100, annual_kwh=100, tier=1,
                amount=Decimal(amount), paid_amount=Decimal(paid), due_date=due)


def test_periods(zj):
    assert parse_period("2026-10") == (2026, 10)
    assert shift_period("2026-01", -1) == "2025-12"
    assert shift_period("2025-11", 14) == "2027-01"
    assert last_complete_period(date(2026, 11, 26)) == "2026-10"
    assert last_complete_period(date(2026, 1, 1)) == "2025-12"
    assert due_date_for(zj, "2026-10") == date(2026, 11, 15)
    assert due_date_for(zj, "2026-12") == date(2027, 1, 15)
    for bad in ("2026-13", "2026-1", "202610", ""):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_overdue_bill(zj):
    # 150.00 unpaid, due 11-15, asked 11-26: 11 days × 1‰ × 150.00 = 1.65.
    status = bill_status(make_bill("150.00"), date(2026, 11, 26), zj)
    assert status["arrears"] == Decimal("150.00")
    assert status["days_overdue"] == 11
    assert status["late_fee"] == Decimal("1.65")
    assert status["total_due"] == Decimal("151.65")
    assert status["status"] == "overdue"
    assert status["disconnectable"] is False


def test_late_fee_minimum_applies(zj):
    # 50.00 × 1‰ × 2 days = 0.10 → minimum 1.00.
    status = bill_status(make_bill("50.00"), date(2026, 11, 17), zj)
    assert (status["days_overdue"], status["late_fee"]) == (2, Decimal("1.00"))


def test_partial_payment(zj):
    # 300.00 billed, 100.00 paid: arrears 200.00; 20 days → 200 × 0.001 × 20 = 4.00.
    status = bill_status(make_bill("300.00", "100.00"), date(2026, 12, 5), zj)
    assert status["arrears"] == Decimal("200.00")
    assert status["late_fee"] == Decimal("4.00")
    assert status["total_due"] == Decimal("204.00")


def test_not_yet_due(zj):
    for on in (date(2026, 11, 3), date(2026, 11, 15)):  # due date itself is on time
        status = bill_status(make_bill("88.80"), on, zj)
        assert status["status"] == "unpaid"
        assert (status["days_overdue"], status["late_fee"]) == (0, Decimal("0.00"))


def test_paid_bill_has_no_fee(zj):
    status = bill_status(make_bill("120.50", "120.50"), date(2027, 3, 1), zj)
    assert status["status"] == "paid"
    assert (status["arrears"], status["late_fee"], status["days_overdue"]) == (
        Decimal("0.00"), Decimal("0.00"), 0)


def test_disconnectable_after_30_days(zj):
    # 30 days overdue is not yet enough; 31 is. 1000.00 × 0.001 × 31 = 31.00.
    assert not bill_status(make_bill("1000.00"), date(2026, 12, 15), zj)["disconnectable"]
    status = bill_status(make_bill("1000.00"), date(2026, 12, 16), zj)
    assert status["disconnectable"] and status["late_fee"] == Decimal("31.00")


def test_tariff_from_loaded_account():
    bill = make_bill("150.00")
    bill.account = Account(tariff="zhejiang")
    assert bill_status(bill, date(2026, 11, 26))["late_fee"] == Decimal("1.65")
    with pytest.raises(ValueError, match="tariff"):
        bill_status(make_bill("150.00"), date(2026, 11, 26))


def test_account_balance(zj):
    bills = [
        make_bill("100.00", "100.00", "2026-08", date(2026, 9, 15)),
        # 200.00 due 10-15, on 11-26: 42 days → 200 × 0.001 × 42 = 8.40
        make_bill("200.00", "0", "2026-09", date(2026, 10, 15)),
        # 150.00 due 11-15: 11 days → 1.65
        make_bill("150.00", "0", "2026-10", date(2026, 11, 15)),
    ]
    total = account_balance(bills, date(2026, 11, 26), zj)
    assert total["arrears"] == Decimal("350.00")
    assert total["late_fee"] == Decimal("10.05")
    assert total["total_due"] == Decimal("360.05")
    assert total["max_days_overdue"] == 42
    assert total["unpaid_periods"] == ["2026-09", "2026-10"]
