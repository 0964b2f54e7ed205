"""The demo province comes with improvement plans in each state a supervisor would see."""
from __future__ import annotations

from sqlalchemy import func, select

from backend.demo.plans import STORIES, seed_demo_plans
from backend.demo.seed import seed_demo
from backend.demo.tickets import seed_demo_tickets
from backend.models import ImprovementPlan, ImprovementProgress
from backend.plans import shown_status, today


async def test_the_demo_plans_are_in_progress_completed_and_overdue(platform):
    await seed_demo(platform.sessions, today=platform.clock().date())
    await seed_demo_tickets(platform, rounds=1)
    assert await seed_demo_plans(platform) == len(STORIES) == 3
    assert await seed_demo_plans(platform) == 0  # once only
    async with platform.sessions() as session:
        plans = (await session.scalars(select(ImprovementPlan).order_by(ImprovementPlan.id))).all()
        notes = await session.scalar(select(func.count(ImprovementProgress.id)))
    assert [shown_status(p, today(platform)) for p in plans] == ["in_progress", "completed", "overdue"]
    assert all(p.plan_no.startswith("ZG") for p in plans) and notes == 4
    completed = plans[1]
    assert completed.completion_denominator is not None and completed.completion_from.day == 1
    assert plans[0].baseline_value is not None  # the county's overdue tickets this month, as measured
