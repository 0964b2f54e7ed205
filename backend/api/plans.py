"""/api/plans: improvement plans (整改计划, issue #8), made from what the dashboard shows.

- `GET /api/plans?unit=&indicator=&status=&overdue=&month=&limit=&offset=`: the plans whose
  responsible unit is in the caller's subtree (`unit` narrows to that unit's subtree),
  in progress first by due date. `status` is the shown status (overdue is a plan in
  progress past its due date); `month=YYYY-MM` keeps the plans in progress at some
  time in that month and adds each one's `current` value for it (the dashboard).
- `POST /api/plans`: a supervisor or admin makes a plan (unit and period where the
  problem was seen, indicator, target, measures, responsible unit, due date); both
  units in the caller's subtree. 201 with the plan.
- `GET /api/plans/{id}`: one plan by its number, with its progress, its current value
  (this month so far) and the acts the caller may take (`may`).
- `POST /api/plans/{id}/progress {note}`, `/complete {note}`, `/withdraw {reason}`.

Rules, terms and who may do what: backend/plans.py; the view: backend/plan_views.py.
Every act is audited (plan.create, plan.progress, plan.complete, plan.withdraw).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, validator

from backend import audit
from backend.api import PLATFORM, scope
from backend.api.auth import Principal, principal
from backend.api.policy import POLICY
from backend.api.registry import ApiRoutes
from backend.api.scope import visible_unit
from backend.api.validation import json_response, read_body, read_query, stripped
from backend.context import Platform
from backend.errors import Forbidden, InvalidInput
from backend.plan_views import Names, current_values, plan_view
from backend.plans import (
    IN_PROGRESS,
    NewPlan,
    PlanFilter,
    add_progress,
    complete_plan,
    create_plan,
    creator_unit,
    indicators_of,
    list_plans,
    load_plan,
    may_withdraw,
    may_work,
    measure,
    month_so_far,
    progress_of,
    today,
    withdraw_plan,
)
from backend.sla.calendar import MONTH, month_range
from backend.tickets.schemas import one_of
from backend.units import subtree_ids
from glossary.names import PLAN_STATUSES, PLAN_TARGET_OPS

routes = ApiRoutes("plans")
PLANS_PATH = "/api/plans"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BAD_DATE = "日期格式应为 YYYY-MM-DD，例如 2026-03-01"


def _day(value: Any) -> date:
    """A YYYY-MM-DD date, and only that (pydantic's date would also take a Unix timestamp)."""
    try:
        if not isinstance(value, str) or not _DAY.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(BAD_DATE) from None


class PlanBody(BaseModel):
    indicator: str = Field(..., max_length=40, description="the indicator's code (GET /api/kpi)")
    unit: str = Field(..., max_length=32, description="the unit where the problem was seen")
    period_from: date = Field(..., alias="from", description="first day of the period seen, YYYY-MM-DD")
    period_to: date = Field(..., alias="to", description="last day of the period seen, inclusive")
    problem: str = Field(..., min_length=4, max_length=1000, description="what was seen (stored masked)")
    target: float = Field(..., description="ratio: a fraction in [0, 1] (0.95 = 95 %); count: a whole number")
    target_op: str | None = Field(None, description="how the value compares with the target: "
                                  + ", ".join(PLAN_TARGET_OPS) + "; default: >= for a ratio, <= for a count")
    measures: str = Field(..., min_length=4, max_length=2000, description="what will be done (stored masked)")
    responsible_unit: str = Field(..., max_length=32, description="the unit that carries the measures out")
    due_date: date = Field(..., description="the last day for the plan, YYYY-MM-DD")

    _op = one_of("target_op", tuple(PLAN_TARGET_OPS))
    _dates = validator("period_from", "period_to", "due_date", pre=True, allow_reuse=True)(_day)
    _texts = stripped("problem", "measures", at_least=4)

    class Config:
        extra = "forbid"


class NoteBody(BaseModel):
    note: str = Field(..., min_length=2, max_length=1000, description="stored masked")

    _note = stripped("note", at_least=2)

    class Config:
        extra = "forbid"


class WithdrawBody(BaseModel):
    reason: str = Field(..., min_length=4, max_length=500, description="why the plan is withdrawn (stored masked)")

    _reason = stripped("reason", at_least=4)

    class Config:
        extra = "forbid"


class PlanQuery(BaseModel):
    unit: str | None = Field(None, max_length=32, description="responsible units in this unit's subtree")
    indicator: str | None = Field(None, max_length=40)
    status: str | None = Field(None, description="shown status: " + ", ".join(PLAN_STATUSES))
    overdue: bool | None = Field(None, description="in progress and past its due date")
    month: str | None = Field(None, regex=MONTH,
                              description="YYYY-MM: plans in progress in that month, with their value in it")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)

    _status = one_of("status", tuple(PLAN_STATUSES))


async def _units_of(platform: Platform, who: Principal, unit: str | None) -> list[str] | None:
    async with platform.sessions() as session:
        top = await visible_unit(session, who, unit)
        return None if top is None else await subtree_ids(session, top)


@routes.op("GET", PLANS_PATH, "Improvement plans of the caller's subtree (by responsible unit)", query=PlanQuery,
           responses={200: "{plans: [...], total}", 403: "unit outside the caller's subtree", 404: "No such unit"})
async def get_plans(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, PlanQuery)
    who = principal(request)
    month = month_range(q.month) if q.month else None
    f = PlanFilter(await _units_of(platform, who, q.unit), q.indicator, q.status, q.overdue, month, q.limit, q.offset)
    day = today(platform)
    async with platform.sessions() as session:
        plans, total = await list_plans(session, f, day)
        names = await Names.load(session, plans)
    values = await current_values(platform, plans, *month) if month else {}
    views = [plan_view(p, names, day, current=(values[p.id], *month) if month else None) for p in plans]
    return json_response({"plans": views, "total": total, "limit": q.limit, "offset": q.offset})


async def _acts(platform: Platform, who: Principal, plan: Any) -> dict[str, bool]:
    """What the caller may do to the plan now: the route's roles, then the plan's own rule."""
    if plan.status != IN_PROGRESS:
        return {"progress": False, "complete": False, "withdraw": False}

    async def passes(route: str, check: Any) -> bool:
        if not POLICY[("POST", PLANS_PATH + "/{id}/" + route)].admits(who.kind, who.role):
            return False
        try:
            async with platform.sessions() as session:
                await check(session)
        except Forbidden:
            return False
        return True

    work = await passes("progress", lambda s: may_work(s, who, plan))

    async def withdraw(session: Any) -> None:
        await may_withdraw(session, who, plan, await creator_unit(session, plan))

    return {"progress": work, "complete": work, "withdraw": await passes("withdraw", withdraw)}


async def _detail(platform: Platform, who: Principal, number: str, *, status: int = 200) -> web.Response:
    """The plan as GET /api/plans/{id} answers it (also the answer to every act on it)."""
    day = today(platform)
    async with platform.sessions() as session:
        plan = await load_plan(session, number)
        await scope.plan(session, who, plan)
        progress = await progress_of(session, plan)
        names = await Names.load(session, [plan], progress)
    first, last = month_so_far(day)
    try:
        value = measure(await indicators_of(platform, plan.responsible_unit_id, first, last), plan.indicator)
    except InvalidInput:  # an indicator the report no longer has
        value = None
    view = plan_view(plan, names, day, progress=progress, current=(value, first, last),
                     may=await _acts(platform, who, plan))
    return json_response(view, status=status)


def _number(request: web.Request) -> str:
    return request.match_info["id"][:24]


@routes.op("POST", PLANS_PATH, "Make an improvement plan (supervisors, admins; audited)", body=PlanBody,
           responses={201: "The plan", 403: "A unit outside the caller's subtree", 404: "No such unit",
                      422: "Unknown indicator, a target the indicator cannot have, dates out of order"})
async def post_plan(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, PlanBody)
    who = principal(request)
    plan = await create_plan(platform, who, NewPlan(
        body.indicator, body.unit, body.period_from, body.period_to, body.problem, body.target_op, body.target,
        body.measures, body.responsible_unit, body.due_date))
    await audit.record(platform, who, "plan.create", "plan", plan.plan_no, unit_id=plan.responsible_unit_id,
                       details={"indicator": plan.indicator, "unit": plan.unit_id,
                                "target": f"{plan.target_op} {plan.target_value:g}",
                                "due_date": plan.due_date.isoformat()},
                       client=audit.client_tag(request.remote))
    return await _detail(platform, who, plan.plan_no, status=201)


@routes.op("GET", PLANS_PATH + "/{id}", "One improvement plan with its progress and current value",
           responses={200: "The plan, with progress, current and may", 403: "Another unit's plan",
                      404: "No such plan"})
async def get_plan(request: web.Request) -> web.Response:
    return await _detail(request.app[PLATFORM], principal(request), _number(request))


@routes.op("POST", PLANS_PATH + "/{id}/progress", "Add a progress note to a plan in progress (audited)",
           body=NoteBody, responses={201: "The plan", 403: "Not the responsible unit's nor the creator",
                                     404: "No such plan", 409: "Completed or withdrawn", 422: "No note"})
async def post_progress(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, NoteBody)
    who = principal(request)
    plan = await add_progress(platform, who, _number(request), body.note)
    await audit.record(platform, who, "plan.progress", "plan", plan.plan_no, unit_id=plan.responsible_unit_id,
                       client=audit.client_tag(request.remote))
    return await _detail(platform, who, plan.plan_no, status=201)


@routes.op("POST", PLANS_PATH + "/{id}/complete", "Complete a plan: its note and the indicator's value now (audited)",
           body=NoteBody, responses={200: "The plan, with its completion", 403: "Not the responsible unit's nor "
                                     "the creator", 404: "No such plan", 409: "Completed or withdrawn already",
                                     422: "No note"})
async def post_complete(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, NoteBody)
    who = principal(request)
    plan = await complete_plan(platform, who, _number(request), body.note)
    await audit.record(platform, who, "plan.complete", "plan", plan.plan_no, unit_id=plan.responsible_unit_id,
                       details={"indicator": plan.indicator, "value": plan.completion_value,
                                "period": f"{plan.completion_from}..{plan.completion_to}"},
                       client=audit.client_tag(request.remote))
    return await _detail(platform, who, plan.plan_no)


@routes.op("POST", PLANS_PATH + "/{id}/withdraw", "Withdraw a plan with a reason (audited)", body=WithdrawBody,
           responses={200: "The plan, withdrawn", 403: "Neither its creator nor over the creator's unit",
                      404: "No such plan", 409: "Completed or withdrawn already", 422: "No reason"})
async def post_withdraw(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    body = await read_body(request, WithdrawBody)
    who = principal(request)
    plan = await withdraw_plan(platform, who, _number(request), body.reason)
    await audit.record(platform, who, "plan.withdraw", "plan", plan.plan_no, unit_id=plan.responsible_unit_id,
                       reason=plan.withdraw_reason, client=audit.client_tag(request.remote))
    return await _detail(platform, who, plan.plan_no)
