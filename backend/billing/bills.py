"""Billing periods, due dates and the state of a bill (arrears, late fee) on a day.

Rules chosen here:

* A bill's period is a month, written "YYYY-MM". The bill for month M falls
  due on day ``payment.due_day_of_following_month`` of month M+1 (Zhejiang:
  the 15th), see ``due_date_for``.
* Arrears = amount − paid amount. Days overdue count from the day after the
  due date, so a bill paid on its due date is on time.
* The late fee is charged on the arrears still open on the asked-for day for
  every day since the due date (a partial payment lowers the base of the whole
  fee, not only of the days after it, because the schema keeps one paid
  amount per bill and no payment history).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm.base import NO_VALUE

from .tariffs import FEN, Tariff, get_tariff, late_fee

_PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def parse_period(period: str) -> tuple[int, int]:
    """ "2026-10" -> (2026, 10); ValueError for anything else."""
    match = _PERIOD.fullmatch(period)
    if not match:
        raise ValueError(f"billing period must be YYYY-MM, got {period!r}")
    return int(match.group(1)), int(match.group(2))


def format_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_period(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return format_period(index // 12, index % 12 + 1)


def last_complete_period(today: date) -> str:
    """The most recent month that has fully ended before ``today``."""
    return shift_period(format_period(today.year, today.month), -1)


def due_date_for(tariff: Tariff, period: str) -> date:
    year, month = parse_period(shift_period(period, 1))
    return date(year, month, tariff.due_day)


def _money(value: Any) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(FEN)


def _tariff_of(bill: Any) -> Tariff:
    # Touching an unloaded relationship would lazy-load, which an AsyncSession
    # forbids; only use the account if the caller already has it in memory.
    state = inspect(bill, raiseerr=False)
    account = state.attrs.account.loaded_value if state is not None else getattr(bill, "account", None)
    if account is NO_VALUE or account is None:
        raise ValueError("bill_status needs tariff=... or the bill's account loaded")
    return get_tariff(account.tariff)


def bill_status(bill: Any, on: date, tariff: Tariff | None = None) -> dict[str, Any]:
    """Arrears, days overdue and late fee of one bill as of ``on``.

    ``bill`` is a ``models.Bill`` (or anything with its attributes). Without
    ``tariff`` the bill's account must already be loaded.
    """
    tariff = tariff or _tariff_of(bill)
    amount = _money(bill.amount)
    paid = _money(bill.paid_amount)
    arrears = max(amount - paid, Decimal("0.00"))
    days_overdue = max((on - bill.due_date).days, 0) if arrears > 0 else 0
    fee = late_fee(tariff, arrears, bill.due_date, on)
    if arrears == 0:
        state = "paid"
    elif days_overdue > 0:
        state = "overdue"
    else:
        state = "unpaid"
    return {
        "period": bill.period,
        "amount": amount,
        "paid": paid,
        "arrears": arrears,
        "due_date": bill.due_date,
        "days_overdue": days_overdue,
        "late_fee": fee,
        "total_due": arrears + fee,
        "status": state,
        # Disconnection is allowed only after this many days (plus a notice).
        "disconnectable": days_overdue > tariff.disconnect_after_days_overdue,
    }


def account_balance(bills: Iterable[Any], on: date, tariff: Tariff) -> dict[str, Any]:
    """Totals over an account's bills as of ``on``: what the customer owes now."""
    statuses = [bill_status(b, on, tariff) for b in bills]
    open_ = [s for s in statuses if s["arrears"] > 0]
    return {
        "arrears": sum((s["arrears"] for s in open_), Decimal("0.00")),
        "late_fee": sum((s["late_fee"] for s in open_), Decimal("0.00")),
        "total_due": sum((s["total_due"] for s in open_), Decimal("0.00")),
        "max_days_overdue": max((s["days_overdue"] for s in open_), default=0),
        "unpaid_periods": [s["period"] for s in open_],
    }
