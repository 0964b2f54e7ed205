"""Demo improvement plans (整改), made through backend/plans.py with the clock set back, so their
baselines, completion values and overdue marks are what the real acts would have recorded.

The demo city's supervisor (王主管, 杭州) sets three plans for 淳安 (330127) and its stations: one
in progress, one completed with its progress notes, and one past its due date (已逾期). They show
on the dashboard beside their indicators and on /console/plans.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from backend.api.auth import Principal
from backend.context import Platform
from backend.models import ImprovementPlan, StaffUser
from backend.plans import NewPlan, add_progress, complete_plan, create_plan
from backend.sla.calendar import TZ

D = timedelta(days=1)
CREATOR = "supervisor"  # backend/demo/province.py DEMO_STAFF


@dataclass(frozen=True)
class PlanStory:
    """A plan made `age` ago about the period before it, then notes (and a completion) at their ages."""

    indicator: str
    unit: str
    responsible: str
    problem: str
    target: float
    measures: str
    age: timedelta
    due_in: timedelta
    whole_month_before: bool
    notes: tuple[tuple[timedelta, str], ...] = ()
    completed: tuple[timedelta, str] | None = None


STORIES = (
    PlanStory("overdue_count", "330127", "330127", "本月淳安县公司超时工单偏多，主要是投诉首次联系和抢修到达超时。", 2,
              "每日早班核对未联系工单；抢修班组夜间双人值守；超时工单次日在班组会上逐单复盘。",
              3 * D, 30 * D, False, ((1 * D, "已召开超时工单分析会，明确早班核对责任人。"),)),
    PlanStory("satisfaction", "330127", "33012701", "上月千岛湖供电所回访满意率偏低，不满意集中在答复不清楚。", 0.95,
              "答复前电话核实诉求；答复内容统一使用规范话术；不满意工单由所长二次回访。",
              20 * D, 21 * D, True, ((15 * D, "已完成答复话术培训，全所12人参加。"),
                                     (8 * D, "所长对上月3张不满意工单完成二次回访。")),
              (5 * D, "措施已落实，纳入所务例会每周检查。")),
    PlanStory("repeat_complaint_count", "33012702", "33012702", "汾口供电所出现同一客户就电费问题重复投诉。", 0,
              "对重复投诉客户逐户上门核对电费；账单异常的台区安排集中抄表核查。",
              40 * D, 30 * D, True, ((30 * D, "已上门核对2户，发现1户抄表错误并已退补。"),)),
)


def _period(day: date, whole_month_before: bool) -> tuple[date, date]:
    """The month before `day`'s, or `day`'s month up to it."""
    if whole_month_before:
        last = day.replace(day=1) - D
        return last.replace(day=1), last
    return day.replace(day=1), day


async def seed_demo_plans(platform: Platform) -> int:
    """Make the STORIES' plans; nothing when plans exist or the demo supervisor is missing."""
    async with platform.sessions() as session:
        if await session.scalar(select(func.count(ImprovementPlan.id))):
            return 0
        user = await session.scalar(select(StaffUser).where(StaffUser.username == CREATOR))
    if user is None:
        return 0
    who = Principal("staff", user.username, role=user.role, unit_id=user.unit_id, user_id=user.id)
    now, real_clock = platform.clock(), platform.clock
    try:
        for story in STORIES:
            await _replay(platform, who, story, now)
    finally:
        platform.clock = real_clock
    return len(STORIES)


async def _replay(platform: Platform, who: Principal, story: PlanStory, now: datetime) -> None:
    made = now - story.age
    platform.clock = lambda: made
    first, last = _period(made.astimezone(TZ).date(), story.whole_month_before)
    plan = await create_plan(platform, who, NewPlan(
        story.indicator, story.unit, first, last, story.problem, None, story.target, story.measures,
        story.responsible, made.astimezone(TZ).date() + story.due_in))
    for age, note in story.notes:
        at = now - age
        platform.clock = lambda at=at: at
        await add_progress(platform, who, plan.plan_no, note)
    if story.completed:
        at = now - story.completed[0]
        platform.clock = lambda: at
        await complete_plan(platform, who, plan.plan_no, story.completed[1])
