"""Account data behind an identity check (PIPL): 户号 plus the phone's last 4 digits.

Failed checks are counted per 户号 so the four digits cannot be guessed: with
`identity_max_failures` failures within `identity_lockout_minutes` the 户号 is
locked until the oldest of them ages out; even a right answer is refused then.
"""
from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.billing import account_balance, bill_status, get_tariff
from backend.context import Platform
from backend.errors import Forbidden, TooManyAttempts
from backend.models import Account, Area, Bill, IdentityFailure
from backend.privacy import mask_account_no, mask_address, mask_name, mask_phone
from backend.sla.calendar import TZ
from glossary.names import ACCOUNT_STATUSES, SITE_CLASSES


class IdentityGuard:
    """Failure counting for identity checks, stored in the database.

    A 户号 is locked while it has `identity_max_failures` failures within the
    last `identity_lockout_minutes`; a right answer clears its failures.
    """

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.max_failures = platform.rules.identity_max_failures
        self.window = timedelta(minutes=platform.rules.identity_lockout_minutes)

    async def charge(self, account_no: str, now: datetime) -> None:
        """Count the attempt as failed before the answer is checked, in its own
        transaction, so parallel guesses cannot all slip past the limit; a right
        answer clears the charge again."""
        async with self.platform.sessions() as session:
            await session.execute(delete(IdentityFailure).where(
                IdentityFailure.account_no == account_no, IdentityFailure.failed_at <= now - self.window))
            recent = (await session.scalars(
                select(IdentityFailure.failed_at).where(IdentityFailure.account_no == account_no)
                .order_by(IdentityFailure.failed_at))).all()
            if len(recent) >= self.max_failures:
                await session.commit()
                raise self._locked(recent[-self.max_failures] + self.window, now)
            session.add(IdentityFailure(account_no=account_no, failed_at=now))
            await session.commit()

    async def succeeded(self, account_no: str) -> None:
        async with self.platform.sessions() as session:
            await session.execute(delete(IdentityFailure).where(IdentityFailure.account_no == account_no))
            await session.commit()

    @staticmethod
    def _locked(until: datetime, now: datetime) -> TooManyAttempts:
        seconds = max(1, int((until - now).total_seconds()))
        minutes = -(-seconds // 60)
        return TooManyAttempts(f"验证失败次数过多，为保护您的账户安全，请{minutes}分钟后再试，"
                               "或携带有效身份证件到营业厅办理。",
                               details={"retry_after_seconds": seconds})


def _last4(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-4:]


async def verified_account(platform: Platform, session: AsyncSession, account_no: str,
                           phone_last4: str) -> Account:
    """The account if the phone's last 4 digits match; otherwise 403 (or 429 when locked).

    An unknown 户号 gets the same answer as a wrong phone, so the endpoint
    cannot be used to find out which 户号 exist.
    """
    guard = IdentityGuard(platform)
    await guard.charge(account_no, platform.clock())
    account = await session.scalar(
        select(Account).options(selectinload(Account.area).selectinload(Area.unit))
        .where(Account.account_no == account_no))
    # compare_digest: the answer's timing should not hint at how many digits were right.
    if account is None or not hmac.compare_digest(_last4(account.phone).encode(), phone_last4.encode()):
        raise Forbidden("户号或手机号码后四位不正确，请核对后重试。", code="identity_mismatch")
    await guard.succeeded(account_no)
    return account


def money(value: Any) -> str:
    return str(Decimal(value if value is not None else 0).quantize(Decimal("0.01")))


def account_view(account: Account) -> dict[str, Any]:
    """What a verified caller may see: identifiers masked even so, since the view
    ends up in chat transcripts and agent screens."""
    area = account.area
    return {
        "account_no": mask_account_no(account.account_no),
        "name": mask_name(account.name),
        "phone": mask_phone(account.phone),
        "address": mask_address(account.address),
        "area": {
            "id": area.id, "name": area.name, "full_name": area.full_name,
            "site_class": area.site_class, "site_class_name": SITE_CLASSES.get(area.site_class),
            "unit": {"id": area.unit.id, "name": area.unit.name},
        },
        "transformer_area": account.transformer_area,
        "status": account.status,
        "status_name": ACCOUNT_STATUSES.get(account.status, account.status),
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
        "account_no": mask_account_no(account.account_no), "as_of": today.isoformat(),
        "items": items,
        "arrears_total": money(totals["arrears"]), "late_fee_total": money(totals["late_fee"]),
        "total_due": money(totals["total_due"]), "max_days_overdue": totals["max_days_overdue"],
        "unpaid_periods": totals["unpaid_periods"],
    }
