"""The demo province comes with tickets in every state a supervisor would look at."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.demo.seed import seed_demo
from backend.demo.tickets import STORIES, seed_demo_tickets
from backend.models import Ticket
from backend.tickets.views import is_overdue


@pytest.fixture
async def tickets(platform):
    await seed_demo(platform.sessions, today=platform.clock().date())
    created = await seed_demo_tickets(platform, rounds=1)
    async with platform.sessions() as session:
        rows = (await session.scalars(select(Ticket).options(selectinload(Ticket.deadlines)))).all()
    assert created == len(rows) == len(STORIES) + 2
    return rows


async def test_every_status_and_type_is_present(tickets):
    assert set(Counter(t.status for t in tickets)) == {
        "accepted", "dispatched", "processing", "replied", "closed"}
    assert {t.type for t in tickets} == {
        "fault_repair", "complaint", "service_request", "suggestion", "praise", "report",
        "consultation", "urge"}


async def test_supervisor_cases_exist(tickets):
    complaints = [t for t in tickets if t.type == "complaint"]
    assert any(t.escalation_intent and t.escalated_at for t in complaints)
    assert any(t.grade == "major" and t.escalated_at for t in complaints)
    assert any(t.is_repeat and t.parent_id for t in complaints)
    assert any(t.reopen_count for t in complaints)
    assert any(is_overdue(t) for t in tickets if t.type == "fault_repair")
    assert any(t.urge_count for t in tickets if t.type == "fault_repair")


async def test_seeding_twice_adds_nothing(platform, tickets):
    assert await seed_demo_tickets(platform) == 0
