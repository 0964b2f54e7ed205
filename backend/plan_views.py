"""How an improvement plan (backend/plans.py) is shown: the API's JSON, also read by the console.

Codes, not names (the console names them from glossary.names and console.wording).
A ratio is the API's fraction (0.95), a count a whole number; a measured value is
`{value, numerator, denominator}` (numerator and denominator null for a count).
- `current`: the responsible unit's value over `current.period` (the dashboard's
  month, or this month so far), and whether it meets the target.
- `may`: the acts the caller may take on it now (the console draws these buttons);
  the handlers check the same rules again.
Staff appear by username and display name; the free text is stored masked already.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.context import Platform
from backend.errors import InvalidInput
from backend.models import ImprovementPlan, ImprovementProgress, StaffUser, Unit
from backend.plans import Measure, indicators_of, measure, met, shown_status
from backend.tickets.views import iso


def _number(value: float | int | None) -> float | int | None:
    """Whole numbers as integers: a count of tickets stored as a float reads 3, not 3.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _measured(value: float | int | None, numerator: float | None, denominator: float | None) -> dict[str, Any]:
    return {"value": _number(value), "numerator": _number(numerator), "denominator": _number(denominator)}


class Names:
    """The units and staff members a set of plans mentions, loaded once."""

    def __init__(self, units: dict[str, Unit], staff: dict[int, StaffUser]) -> None:
        self.units, self.staff = units, staff

    @classmethod
    async def load(cls, session: AsyncSession, plans: list[ImprovementPlan],
                   progress: list[ImprovementProgress] = ()) -> Names:
        unit_ids = {p.unit_id for p in plans} | {p.responsible_unit_id for p in plans}
        staff_ids = {x for p in plans for x in (p.created_by, p.completed_by, p.withdrawn_by) if x}
        staff_ids |= {e.author_id for e in progress}
        units = {u.id: u for u in (await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))).all()}
        staff = {s.id: s for s in (await session.scalars(
            select(StaffUser).where(StaffUser.id.in_(staff_ids)))).all()} if staff_ids else {}
        return cls(units, staff)

    def unit(self, unit_id: str) -> dict[str, str]:
        unit = self.units.get(unit_id)
        return {"id": unit_id, "name": unit.name if unit else unit_id}

    def person(self, user_id: int | None) -> dict[str, str] | None:
        if user_id is None:
            return None
        user = self.staff.get(user_id)
        return {"username": user.username, "name": user.display_name} if user else {"username": "", "name": ""}


def plan_view(plan: ImprovementPlan, names: Names, day: date, *,
              progress: list[ImprovementProgress] | None = None,
              current: tuple[Measure | None, date, date] | None = None,
              may: dict[str, bool] | None = None) -> dict[str, Any]:
    """One plan; `progress`, `current` and `may` only when given (a detail, the dashboard's list)."""
    target = {"op": plan.target_op, "value": _number(plan.target_value)}
    view: dict[str, Any] = {
        "id": plan.plan_no, "indicator": plan.indicator, "status": shown_status(plan, day),
        "unit": names.unit(plan.unit_id),
        "period": {"from": plan.period_from.isoformat(), "to": plan.period_to.isoformat()},
        "problem": plan.problem,
        "baseline": _measured(plan.baseline_value, plan.baseline_numerator, plan.baseline_denominator),
        "target": target, "measures": plan.measures,
        "responsible_unit": names.unit(plan.responsible_unit_id), "due_date": plan.due_date.isoformat(),
        "created_by": names.person(plan.created_by), "created_at": iso(plan.created_at),
        "completion": None, "withdrawal": None,
    }
    if plan.completed_at is not None:
        value = _measured(plan.completion_value, plan.completion_numerator, plan.completion_denominator)
        view["completion"] = {
            "at": iso(plan.completed_at), "by": names.person(plan.completed_by), "note": plan.completion_note,
            **value, "period": {"from": plan.completion_from.isoformat(), "to": plan.completion_to.isoformat()},
            "met": met(plan.target_op, plan.target_value, plan.completion_value)}
    if plan.withdrawn_at is not None:
        view["withdrawal"] = {"at": iso(plan.withdrawn_at), "by": names.person(plan.withdrawn_by),
                              "reason": plan.withdraw_reason}
    if progress is not None:
        view["progress"] = [{"at": iso(e.created_at), "by": names.person(e.author_id), "note": e.note}
                            for e in progress]
    if current is not None:
        value_now, first, last = current
        view["current"] = None if value_now is None else {
            **_measured(value_now.value, value_now.numerator, value_now.denominator),
            "period": {"from": first.isoformat(), "to": last.isoformat()},
            "met": met(plan.target_op, plan.target_value, value_now.value)}
    if may is not None:
        view["may"] = may
    return view


async def current_values(platform: Platform, plans: list[ImprovementPlan], first: date, last: date
                         ) -> dict[int, Measure | None]:
    """Each plan's indicator for its responsible unit over [first, last]: one report per unit."""
    reports: dict[str, dict[str, Any]] = {}
    values: dict[int, Measure | None] = {}
    for plan in plans:
        if plan.responsible_unit_id not in reports:
            reports[plan.responsible_unit_id] = await indicators_of(platform, plan.responsible_unit_id, first, last)
        try:
            values[plan.id] = measure(reports[plan.responsible_unit_id], plan.indicator)
        except InvalidInput:  # an indicator the report no longer has: the plan stays readable
            values[plan.id] = None
    return values
