"""Account data behind an identity check (PIPL): 户号 plus the phone's last 4 digits.

Failed checks are counted per 户号 so the four digits cannot be guessed: after
`identity_max_failures` failures within `identity_lockout_minutes` the 户号 is
locked for `identity_lockout_minutes`, during which even a right answer is refused.
"""
from __future__ import annotations

import hmac
import re
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.billing import account_balance, bill_status, get_tariff
from backend.context import Platform
from backend.errors import Forbidden, TooManyAttempts
from backend.models import Account, Area, Bill
from backend.privacy import mask_account, mask_address, mask_name, mask_phone
from backend.sla.calendar import TZ

SITE_CLASS_NAMES = {"urban": "城区", "rural": "农村", "remote": "特殊边远"}
ACCOUNT_STATUS_NAMES = {"normal": "正常", "disconnected_arrears": "欠费停电", "closed": "已销户"}
# Bound on remembered 户号; beyond it expired entries are swept on the next failure.
_SWEEP_ABOVE = 10_000


@dataclass
class _Attempts:
    failures: list[datetime] = field(default_factory=list)
    locked_until: datetime | None = None


class IdentityGuard:
    """Failure counter for identity checks.

    Kept in process memory on purpose (no new table): it is per process, so a
    restart forgets it and several backend processes each count separately.
    Good enough for one backend process; move it to Redis when scaling out.
    """

    def __init__(self, max_failures: int, window: timedelta) -> None:
        self.max_failures = max_failures
        self.window = window
        self._by_account: dict[str, _Attempts] = {}

    def charge(self, account_no: str, now: datetime) -> None:
        """Count an attempt as failed *before* the database is asked.

        Charging first means parallel guesses cannot all slip past the check
        while the first ones are still waiting for their lookup; a right answer
        clears the charge again.
        """
        entry = self._by_account.setdefault(account_no, _Attempts())
        if entry.locked_until is not None:
            if now < entry.locked_until:
                raise self._locked(entry.locked_until, now)
            entry.locked_until = None
            entry.failures.clear()
        entry.failures = [t for t in entry.failures if now - t < self.window]
        if len(entry.failures) >= self.max_failures:
            entry.locked_until = now + self.window
            raise self._locked(entry.locked_until, now)
        entry.failures.append(now)

    def failed(self, account_no: str, now: datetime) -> None:
        entry = self._by_account.get(account_no)
        if entry is not None and len(entry.failures) >= self.max_failures:
            entry.locked_until = now + self.window
        if len(self._by_account) > _SWEEP_ABOVE:
            self._sweep(now)

    def succeeded(self, account_no: str) -> None:
        self._by_account.pop(account_no, None)

    def _sweep(self, now: datetime) -> None:
        for key, entry in list(self._by_account.items()):
            if (entry.locked_until or now) <= now and all(now - t >= self.window for t in entry.failures):
                del self._by_account[key]

    @staticmethod
    def _locked(until: datetime, now: datetime) -> TooManyAttempts:
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        return TooManyAttempts(f"验证失败次数过多，为保护您的账户安全，请{minutes}分钟后再试，"
                               "或携带有效身份证件到营业厅办理。",
                               details={"retry_after_seconds": int((until - now).total_seconds())})


# One guard per platform (the app and each test build their own). Platform is an
# unhashable dataclass, so it is keyed by id and checked through a weak reference
# lest a new platform reuse a dead one's id and inherit its counts.
_GUARDS: dict[int, tuple[weakref.ref, IdentityGuard]] = {}


def guard_for(platform: Platform) -> IdentityGuard:
    entry = _GUARDS.get(id(platform))
    if entry is None or entry[0]() is not platform:
        rules = platform.rules
        guard = IdentityGuard(rules.identity_max_failures, timedelta(minutes=rules.identity_lockout_minutes))
        entry = (weakref.ref(platform), guard)
        _GUARDS[id(platform)] = entry
    return entry[1]


def _last4(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-4:]


async def verified_account(platform: Platform, session: AsyncSession, account_no: str,
                           phone_last4: str) -> Account:
    """The account if the phone's last 4 digits match; otherwise 403 (or 429 when locked).

    An unknown 户号 gets the same answer as a wrong phone, so the endpoint
    cannot be used to find out which 户号 exist.
    """
    guard = guard_for(platform)
    now = platform.clock()
    guard.charge(account_no, now)
    account = await session.scalar(
        select(Account).options(selectinload(Account.area).selectinload(Area.unit))
        .where(Account.account_no == account_no))
    # compare_digest: the answer's timing should not hint at how many digits were right.
    if account is None or not hmac.compare_digest(_last4(account.phone).encode(), phone_last4.encode()):
        guard.failed(account_no, platform.clock())
        raise Forbidden("户号或手机号码后四位不正确，请核对后重试。", code="identity_mismatch")
    guard.succeeded(account_no)
    return account


def money(value: Any) -> str:
    return str(Decimal(value if value is not None else 0).quantize(Decimal("0.01")))


def account_view(account: Account) -> dict[str, Any]:
    """What a verified caller may see: identifiers masked even so, since the view
    ends up in chat transcripts and agent screens."""
    area = account.area
    return {
        "account_no": mask_account(account.account_no),
        "name": mask_name(account.name),
        "phone": mask_phone(account.phone),
        "address": mask_address(account.address),
        "area": {
            "id": area.id, "name": area.name, "full_name": area.full_name,
            "site_class": area.site_class, "site_class_name": SITE_CLASS_NAMES.get(area.site_class),
            "unit": {"id": area.unit.id, "name": area.unit.name},
        },
        "transformer_area": account.transformer_area,
        "status": account.status,
        "status_name": ACCOUNT_STATUS_NAMES.get(account.status, account.status),
        "tariff": account.tariff,
        "time_of_use": bool(account.time_of_use),
        "prepaid": bool(account.prepaid),
        "balance": money(account.balance),
    }


async def bills_view(platform: Platform, session: AsyncSession, account: Account, months: int
                     ) -> dict[str, Any]:
    """The latest `months` bills, newest first, each with its arrears and late fee today.

    The totals cover every open bill, also those older than the listed months:
    they answer "how much do I owe now", which a cut-off list would understate.
    """
    today = platform.clock().astimezone(TZ).date()
    tariff = get_tariff(account.tariff, platform.settings.tariff_dir)
    bills = list((await session.scalars(
        select(Bill).where(Bill.account_id == account.id).order_by(Bill.period.desc()))).all())
    items = []
    for bill in bills[:months]:
        status = bill_status(bill, today, tariff)
        items.append({
            "period": bill.period, "kwh_total": bill.kwh_total, "kwh_peak": bill.kwh_peak,
            "kwh_valley": bill.kwh_valley, "tier": bill.tier, "annual_kwh": bill.annual_kwh,
            "amount": money(status["amount"]), "paid": money(status["paid"]),
            "paid_at": bill.paid_at.astimezone(TZ).isoformat() if bill.paid_at else None,
            "due_date": bill.due_date.isoformat(), "arrears": money(status["arrears"]),
            "late_fee": money(status["late_fee"]), "days_overdue": status["days_overdue"],
            "total_due": money(status["total_due"]), "status": status["status"],
        })
    totals = account_balance(bills, today, tariff)
    return {
        "account_no": mask_account(account.account_no), "as_of": today.isoformat(),
        "items": items,
        "arrears_total": money(totals["arrears"]), "late_fee_total": money(totals["late_fee"]),
        "total_due": money(totals["total_due"]), "max_days_overdue": totals["max_days_overdue"],
        "unpaid_periods": totals["unpaid_periods"],
    }
