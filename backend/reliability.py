"""Supply reliability (供电可靠率, RS-1) of a unit and period, from the outage records.

Definition (after DL/T 836, service-rules.md):

    RS-1 = 1 − Σ(customers interrupted × hours of interruption) / (customers served × hours in the period)

and RS-1 without planned outages (our RS-3-style variant, `excl_planned`): the
same with only temporary (临时) and fault (故障) outages in the sum.

Terms:
- period: [start, end) as the indicators' period (Asia/Shanghai days), but never
  beyond "now" (the platform's clock): hours that have not happened yet have
  neither supply nor interruption. The month to date is therefore judged on the
  hours elapsed, and a period wholly in the future has 0 hours (ratio null).
- outages that count: status `in_progress` or `restored`. A `scheduled` notice
  has not started (its start_at may be past if nobody pressed 开始停电; the
  notice is the record, so it is not counted) and a `cancelled` one never
  happened. All three types count: planned (计划), temporary (临时), fault (故障).
- unit of an outage: `outages.unit_id` (the unit that published it), not the
  units of its areas, as for a ticket's handling unit.
- interruption: from `start_at` to `restored_at` for a restored outage (its
  `expected_end_at` only if an imported record has no restored_at); an outage
  in progress counts up to now: it is still off, even past its expected end
  (the forecast is not a fact, like backend/outages.py's "still off now").
  Clipped to the period, so an outage across midnight of the 1st is split
  between the two months; to the second.
- customers interrupted: `outages.customers_interrupted` when the record states
  it (0 included: a recorded fact), else the accounts covered by its scopes
  (OutageScope: a whole area, or only one 台区 of it), each account once even if
  two scopes cover it.
- customers served: the accounts of the areas the unit serves (`areas.unit_id`)
  that are not closed (已销户), counted as the table holds them when the query
  runs: it keeps no history of connections, and a row's `created_at` is when
  it was written (an import writes today), not when the customer was
  connected. The accounts counted as interrupted pass the same test, so they
  are always among the served. Accounts disconnected for arrears are still
  customers of the unit.
- two outages over the same customers at the same time are both counted, as
  recorded: a duplicated record shows as a lower figure rather than vanishing.
  A recorded count larger than the unit's accounts can make the figure negative;
  it is not clipped, because that number says the records disagree.

Roll-up: the customer-seconds are summed per unit (numerator at the outage's
unit, denominator at the areas' unit) and only then divided, as for the
ticket indicators (backend/kpi.py).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import Account, Area, Outage, OutageScope

COUNTED_STATUSES = ("in_progress", "restored")
PLANNED = "planned"
# Counter keys (customer-seconds), summed up the tree by backend/kpi.py.
SERVED, LOST, LOST_UNPLANNED = "customer_seconds", "interrupted_seconds", "interrupted_unplanned_seconds"


SERVED_ACCOUNT = Account.status != "closed"


def interruption_seconds(outage: Outage, start: datetime, end: datetime, now: datetime) -> int:
    """Seconds of `outage` inside [start, end), the interruption as the module docstring defines it."""
    if outage.status == "restored":
        finish = outage.restored_at or outage.expected_end_at
    else:
        finish = now
    begin, finish = max(outage.start_at, start), min(finish, end)
    return max(int((finish - begin).total_seconds()), 0)


async def _served_by_unit(session: AsyncSession, unit_ids: list[str]) -> dict[str, int]:
    stmt = (select(Area.unit_id, func.count(Account.id)).join(Area, Area.id == Account.area_id)
            .where(Area.unit_id.in_(unit_ids), SERVED_ACCOUNT).group_by(Area.unit_id))
    return {unit: int(n) for unit, n in (await session.execute(stmt)).all()}


async def _counted_customers(session: AsyncSession, outage_ids: list[int]) -> dict[int, int]:
    """Accounts in each outage's scopes (distinct per outage)."""
    if not outage_ids:
        return {}
    whole_area = or_(OutageScope.transformer_area.is_(None), OutageScope.transformer_area == "")
    stmt = (select(OutageScope.outage_id, func.count(func.distinct(Account.id)))
            .join(Account, and_(Account.area_id == OutageScope.area_id,
                                or_(whole_area, Account.transformer_area == OutageScope.transformer_area)))
            .where(OutageScope.outage_id.in_(outage_ids), SERVED_ACCOUNT)
            .group_by(OutageScope.outage_id))
    return {oid: int(n) for oid, n in (await session.execute(stmt)).all()}


async def reliability_by_unit(session: AsyncSession, unit_ids: list[str], start: datetime, end: datetime,
                              now: datetime) -> dict[str, Counter[str]]:
    """Per unit: customer-seconds served (SERVED) and interrupted (LOST, LOST_UNPLANNED) in [start, end).

    Three queries: the served accounts per unit, the counted outages of the
    units overlapping the period, and the accounts in the scopes of those
    without a recorded count.
    """
    end = min(end, now)
    result: dict[str, Counter[str]] = {}
    if end <= start:
        return result
    seconds = int((end - start).total_seconds())
    for unit, customers in (await _served_by_unit(session, unit_ids)).items():
        result.setdefault(unit, Counter())[SERVED] += customers * seconds
    outages = (await session.scalars(select(Outage).where(
        Outage.unit_id.in_(unit_ids), Outage.status.in_(COUNTED_STATUSES), Outage.start_at < end,
        or_(Outage.restored_at.is_(None), Outage.restored_at > start)))).all()
    unrecorded = [o.id for o in outages if o.customers_interrupted is None]
    counted = await _counted_customers(session, unrecorded)
    for outage in outages:
        customers = outage.customers_interrupted
        if customers is None:
            customers = counted.get(outage.id, 0)
        lost = customers * interruption_seconds(outage, start, end, now)
        totals = result.setdefault(outage.unit_id, Counter())
        totals[LOST] += lost
        if outage.type != PLANNED:
            totals[LOST_UNPLANNED] += lost
    return result
