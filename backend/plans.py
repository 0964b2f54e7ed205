"""Improvement plans (整改计划, issue #8): a problem seen on an indicator, tracked until it is done.

The seed's 服务质量改进: "根据服务质量监测结果，制定服务质量改进计划，明确改进目标、措施和责任部门",
carried out by the units and supervised by the service management department.

Terms (table: backend/models/improvement.py; names: glossary.names PLAN_*):
- indicator: a code of the indicators GET /api/kpi answers (backend/kpi.py), except
  NOT_TARGETS. Its kind is read off the report's value: a ratio (an object with
  `ratio`, `numerator`, `denominator`) or a count (a number). Nothing here lists the
  indicators, so one added to the report can be targeted at once.
- target: `target_op` (">=" or "<=") and `target_value`; a ratio's target is a
  fraction in [0, 1] (0.95 = 95 %), a count's a whole number >= 0. Without an op,
  a ratio should rise (>=) and a count fall (<=), as every current indicator does.
- met: the value compares with the target as its op says; a ratio without a
  denominator (value null) meets nothing.
- baseline: the indicator over the unit and period where the problem was seen,
  when the plan is made. current: the responsible unit's value over a month (the
  dashboard's month; by default this month up to today). completion: the
  responsible unit's value over the month of completion up to that day, recorded
  when the plan is completed. All three come from backend.api.kpi.report, the one
  computation behind the API, the dashboard and the export.
- shown status: the stored status, except that a plan in progress whose due date
  (its last day, Asia/Shanghai) has passed is "overdue" (已逾期).

Who (the route's roles are the access table's, backend/api/policy.py):
- reads: staff whose subtree holds the plan's responsible unit, and its creator.
- progress notes and completion: supervisors and admins whose subtree holds the
  responsible unit (its own supervisors and those above it), and the creator.
- withdrawal: the creator, or a supervisor or admin whose subtree holds the
  creator's unit: the unit that set the plan takes it back, not the one that must
  carry it out.
Only a plan in progress (overdue included) takes notes, completion or withdrawal;
otherwise 409. Every act is written to the audit log (plan.create, plan.progress,
plan.complete, plan.withdraw) at the responsible unit. Free text is stored masked.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from backend.api import scope
from backend.api.auth import SERVICE, Principal
from backend.api.kpi import report
from backend.context import Platform
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.models import ImprovementPlan, ImprovementProgress, StaffUser
from backend.privacy import mask_text
from backend.sla.calendar import TZ
from backend.units import subtree_ids
from glossary.identifiers import plan_number
from glossary.names import PLAN_STATUSES

# The codes of glossary.names.PLAN_STATUSES this module acts on.
IN_PROGRESS = "in_progress"
OVERDUE = "overdue"  # shown, never stored
COMPLETED = "completed"
WITHDRAWN = "withdrawn"
NOT_TARGETS = ("accepted",)  # a volume, not a quality: no plan should make customers file fewer tickets
DEFAULT_OPS = {"ratio": ">=", "count": "<="}

NOT_FOUND = "未找到整改计划 {number}，请核对编号。"
NOT_OPEN = "该整改计划已{status}，不能再{act}。"
NOT_THEIRS = "只有责任单位及其上级单位的班长、管理员或制定人可以办理该整改计划。"
NOT_OWNER = "只有制定人或制定单位及其上级单位的班长、管理员可以撤销该整改计划。"
UNKNOWN_INDICATOR = "未知的考核指标：{code}。"
NOT_A_TARGET = "该指标反映业务量，不作为整改目标。"
RATIO_TARGET = "比率类指标的目标应为0到1之间的小数，例如0.95表示95%。"
COUNT_TARGET = "计数类指标的目标应为不小于0的整数。"
PERIOD_ORDER = "发现问题的开始日期不能晚于结束日期。"
PERIOD_FUTURE = "发现问题的期间不能晚于今天开始。"
DUE_PAST = "整改期限不能早于今天。"


@dataclass(frozen=True)
class Measure:
    """One indicator's value as the report gives it: a ratio's parts, or a count alone."""

    kind: str  # "ratio" or "count"
    value: float | int | None
    numerator: float | None = None
    denominator: float | None = None

    def view(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


def measure(indicators: dict[str, Any], code: str) -> Measure:
    """The indicator `code` of a report's `indicators`; an unknown code is a 422."""
    if code not in indicators or code in NOT_TARGETS:
        raise InvalidInput(NOT_A_TARGET if code in NOT_TARGETS else UNKNOWN_INDICATOR.format(code=code),
                           code="invalid_indicator", details=[{"field": "indicator", "message": "取值不正确"}])
    value = indicators[code]
    if isinstance(value, dict):
        return Measure("ratio", value.get("ratio"), value.get("numerator"), value.get("denominator"))
    return Measure("count", value)


def targetable(codes: Iterable[str]) -> list[str]:
    """The indicators among `codes` a plan may target, in their order."""
    return [code for code in codes if code not in NOT_TARGETS]


def met(op: str, target: float, value: float | int | None) -> bool | None:
    """Whether a value reaches the target; None when there is no value to judge."""
    if value is None:
        return None
    return value >= target if op == ">=" else value <= target


def check_target(kind: str, op: str | None, target: float) -> str:
    """The op to store; a target outside what the indicator's kind can reach is a 422."""
    if not math.isfinite(target):
        bad = True
    elif kind == "ratio":
        bad = not 0 <= target <= 1
    else:
        bad = target < 0 or target != int(target)
    if bad:
        raise InvalidInput(RATIO_TARGET if kind == "ratio" else COUNT_TARGET, code="invalid_target",
                           details=[{"field": "target", "message": "取值不正确"}])
    return op or DEFAULT_OPS[kind]


def today(platform: Platform) -> date:
    return platform.clock().astimezone(TZ).date()


def month_so_far(day: date) -> tuple[date, date]:
    """From the first of `day`'s month to `day`."""
    return day.replace(day=1), day


async def indicators_of(platform: Platform, unit_id: str, first: date, last: date) -> dict[str, Any]:
    """The report's indicators of one unit (its subtree) over [first, last].

    Computed as the service: the caller's right to the plan was checked on the plan,
    and its creator may since have moved to a unit that no longer covers it.
    """
    return (await report(platform, SERVICE, unit_id, first, last))["indicators"]


def shown_status(plan: ImprovementPlan, day: date) -> str:
    if plan.status == IN_PROGRESS and plan.due_date < day:
        return OVERDUE
    return plan.status


def status_clause(status: str, day: date) -> ColumnElement:
    """SQL for "the plan's shown status is `status`" on `day`."""
    p = ImprovementPlan
    late = and_(p.status == IN_PROGRESS, p.due_date < day)
    if status == OVERDUE:
        return late
    if status == IN_PROGRESS:
        return and_(p.status == IN_PROGRESS, p.due_date >= day)
    return p.status == status


def open_during(first: date, last: date) -> ColumnElement:
    """Plans that were in progress at some time in [first, last] (local days)."""
    p = ImprovementPlan
    start = datetime.combine(first, time(), TZ)
    end = datetime.combine(last + timedelta(days=1), time(), TZ)
    closed = func.coalesce(p.completed_at, p.withdrawn_at)
    return and_(p.created_at < end, or_(closed.is_(None), closed >= start))


@dataclass(frozen=True)
class PlanFilter:
    """A list's narrowing; units None means every unit (admins)."""

    units: list[str] | None
    indicator: str | None = None
    status: str | None = None
    overdue: bool | None = None
    month: tuple[date, date] | None = None
    limit: int = 50
    offset: int = 0


async def list_plans(session: AsyncSession, f: PlanFilter, day: date) -> tuple[list[ImprovementPlan], int]:
    """A page of plans, the ones to act on first (in progress, nearest due date), and the total."""
    p = ImprovementPlan
    where: list[ColumnElement] = []
    if f.units is not None:
        where.append(p.responsible_unit_id.in_(f.units))
    if f.indicator:
        where.append(p.indicator == f.indicator)
    if f.status:
        where.append(status_clause(f.status, day))
    if f.overdue is not None:
        late = status_clause(OVERDUE, day)
        where.append(late if f.overdue else not_(late))
    if f.month:
        where.append(open_during(*f.month))
    total = await session.scalar(select(func.count(p.id)).where(*where))
    rows = (await session.scalars(
        select(p).where(*where).order_by(case((p.status == IN_PROGRESS, 0), else_=1), p.due_date, p.id.desc())
        .limit(f.limit).offset(f.offset))).all()
    return list(rows), int(total or 0)


async def load_plan(session: AsyncSession, number: str, *, for_update: bool = False) -> ImprovementPlan:
    stmt = select(ImprovementPlan).where(ImprovementPlan.plan_no == number[:24])
    if for_update and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    plan = await session.scalar(stmt.execution_options(populate_existing=True))
    if plan is None:
        raise NotFound(NOT_FOUND.format(number=number[:24]), code="plan_not_found")
    return plan


async def progress_of(session: AsyncSession, plan: ImprovementPlan) -> list[ImprovementProgress]:
    return list((await session.scalars(
        select(ImprovementProgress).where(ImprovementProgress.plan_id == plan.id)
        .order_by(ImprovementProgress.created_at, ImprovementProgress.id))).all())


async def may_work(session: AsyncSession, who: Principal, plan: ImprovementPlan) -> None:
    """Progress and completion: scope.plan, as reading (the route admits supervisors and admins only)."""
    try:
        await scope.plan(session, who, plan)
    except Forbidden:
        raise Forbidden(NOT_THEIRS, code="outside_unit") from None


async def creator_unit(session: AsyncSession, plan: ImprovementPlan) -> str:
    return await session.scalar(select(StaffUser.unit_id).where(StaffUser.id == plan.created_by))


async def may_withdraw(session: AsyncSession, who: Principal, plan: ImprovementPlan, creator_unit: str) -> None:
    """Withdrawal: scope.plan first (another unit's plan is outside_unit, as everywhere), then the
    creator's line: the creator, or staff whose subtree holds the creator's unit."""
    await scope.plan(session, who, plan)
    if who.kind == "staff" and who.user_id == plan.created_by:
        return
    try:
        await scope.require_unit(session, who, creator_unit)
    except Forbidden:
        raise Forbidden(NOT_OWNER, code="not_plan_owner") from None


def require_open(plan: ImprovementPlan, act: str) -> None:
    if plan.status != IN_PROGRESS:
        raise Conflict(NOT_OPEN.format(status=PLAN_STATUSES[plan.status], act=act), code="plan_closed")


@dataclass(frozen=True)
class NewPlan:
    """A plan as its creator states it (checked by backend/api/plans.py's body)."""

    indicator: str
    unit_id: str
    period_from: date
    period_to: date
    problem: str
    target_op: str | None
    target_value: float
    measures: str
    responsible_unit_id: str
    due_date: date


async def create_plan(platform: Platform, who: Principal, new: NewPlan) -> ImprovementPlan:
    """Check, measure the baseline, store and number a plan."""
    day = today(platform)
    if new.period_from > new.period_to:
        raise InvalidInput(PERIOD_ORDER, code="invalid_period")
    if new.period_from > day:  # the month in progress is a period seen (so far); next month is not
        raise InvalidInput(PERIOD_FUTURE, code="invalid_period")
    if new.due_date < day:
        raise InvalidInput(DUE_PAST, code="invalid_due_date")
    async with platform.sessions() as session:
        for unit_id in (new.unit_id, new.responsible_unit_id):
            await subtree_ids(session, unit_id)  # an unknown unit: 404 unit_not_found
        await scope.require_units(session, who, {new.unit_id, new.responsible_unit_id})
    baseline = measure(await indicators_of(platform, new.unit_id, new.period_from, new.period_to), new.indicator)
    op = check_target(baseline.kind, new.target_op, new.target_value)
    now = platform.clock()
    async with platform.sessions() as session:
        plan = ImprovementPlan(
            indicator=new.indicator, unit_id=new.unit_id, period_from=new.period_from, period_to=new.period_to,
            problem=mask_text(new.problem), baseline_value=baseline.value, baseline_numerator=baseline.numerator,
            baseline_denominator=baseline.denominator, target_op=op, target_value=new.target_value,
            measures=mask_text(new.measures), responsible_unit_id=new.responsible_unit_id, due_date=new.due_date,
            status=IN_PROGRESS, created_by=who.user_id, created_at=now, updated_at=now)
        session.add(plan)
        await session.flush()
        plan.plan_no = plan_number(now.astimezone(TZ).date(), plan.id)
        await session.commit()
    return plan


async def add_progress(platform: Platform, who: Principal, number: str, note: str) -> ImprovementPlan:
    async with platform.sessions() as session:
        plan = await load_plan(session, number, for_update=True)
        await may_work(session, who, plan)
        require_open(plan, "记录进展")
        now = platform.clock()
        session.add(ImprovementProgress(plan_id=plan.id, author_id=who.user_id, note=mask_text(note),
                                        created_at=now))
        plan.updated_at = now
        await session.commit()
    return plan


async def _close(session: AsyncSession, plan: ImprovementPlan, status: str, values: dict[str, Any]) -> None:
    """Move a plan in progress to `status`; a concurrent act that got there first is a 409."""
    done = await session.execute(
        update(ImprovementPlan).where(ImprovementPlan.id == plan.id, ImprovementPlan.status == IN_PROGRESS)
        .values(status=status, **values))
    if done.rowcount != 1:
        await session.rollback()
        fresh = await load_plan(session, plan.plan_no)
        require_open(fresh, "办理")
    await session.commit()


async def complete_plan(platform: Platform, who: Principal, number: str, note: str) -> ImprovementPlan:
    """Complete a plan with its note and the responsible unit's value over this month so far."""
    async with platform.sessions() as session:
        plan = await load_plan(session, number)
        await may_work(session, who, plan)
        require_open(plan, "完成")
    first, last = month_so_far(today(platform))
    value = measure(await indicators_of(platform, plan.responsible_unit_id, first, last), plan.indicator)
    now = platform.clock()
    async with platform.sessions() as session:
        await _close(session, plan, COMPLETED, {
            "completed_at": now, "completed_by": who.user_id, "completion_note": mask_text(note),
            "completion_value": value.value, "completion_numerator": value.numerator,
            "completion_denominator": value.denominator, "completion_from": first, "completion_to": last,
            "updated_at": now})
        return await load_plan(session, number)


async def withdraw_plan(platform: Platform, who: Principal, number: str, reason: str) -> ImprovementPlan:
    """Withdraw a plan with a reason."""
    now = platform.clock()
    async with platform.sessions() as session:
        plan = await load_plan(session, number)
        await may_withdraw(session, who, plan, await creator_unit(session, plan))
        require_open(plan, "撤销")
        await _close(session, plan, WITHDRAWN, {
            "withdrawn_at": now, "withdrawn_by": who.user_id, "withdraw_reason": mask_text(reason),
            "updated_at": now})
        return await load_plan(session, number)
