"""The deadline sweep: warning at 80 %, overdue after the limit, complaints escalate."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from backend.scheduler import sweep
from backend.sla.calendar import TZ
from tests.backend.tickets.helpers import COMPLAINT, REPAIR, clock_named, create, step
from tests.backend.units_fixture import seed_units


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def detail(client, auth, tid):
    return await (await client.get(f"/api/tickets/{tid}", headers=auth)).json()


async def test_repair_warns_at_80_percent_then_goes_overdue(client, auth, units, platform):
    ticket = await create(client, auth, REPAIR)  # urban: arrival due 09:45
    await step(client, auth, ticket["id"], "dispatch")  # stops the 5-minute dispatch clock
    start = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    assert not await sweep(platform, start + timedelta(minutes=35))  # 78 % of 45 min
    result = await sweep(platform, start + timedelta(minutes=36))   # 80 %
    assert result.warned == 1
    t = await detail(client, auth, ticket["id"])
    assert clock_named(t, "arrival")["state"] == "warning"
    assert not t["overdue"]
    result = await sweep(platform, start + timedelta(minutes=46))
    assert result.breached == 1 and result.escalated == 0  # repairs do not escalate
    t = await detail(client, auth, ticket["id"])
    arrival = clock_named(t, "arrival")
    assert arrival["state"] == "overdue"
    assert arrival["breached_at"] == (start + timedelta(minutes=45)).isoformat()
    assert t["overdue"] is True
    assert [e["kind"] for e in t["events"]].count("overdue") == 1
    # Arriving late still counts as met, but late.
    t = await step(client, auth, ticket["id"], "arrive")
    assert clock_named(t, "arrival")["state"] == "met_late"
    assert not t["overdue"]


async def test_a_second_sweep_does_nothing_more(client, auth, units, platform):
    await create(client, auth, REPAIR)
    later = datetime(2026, 3, 10, 12, 0, tzinfo=TZ)
    first = await sweep(platform, later)
    assert first.breached == 2
    assert not await sweep(platform, later + timedelta(minutes=1))


async def test_overdue_complaint_escalates(client, auth, units, platform):
    ticket = await create(client, auth, COMPLAINT)
    await sweep(platform, datetime(2026, 3, 11, 9, 1, tzinfo=TZ))  # first contact was due 09:00
    t = await detail(client, auth, ticket["id"])
    assert t["escalated"] is True
    assert clock_named(t, "first_contact")["state"] == "overdue"
    assert clock_named(t, "reply")["state"] == "running"
    escalations = [e for e in t["events"] if e["kind"] == "escalate"]
    assert escalations[0]["data"]["reason"] == "overdue:first_contact"


async def test_met_clocks_are_never_swept(client, auth, units, platform):
    ticket = await create(client, auth, COMPLAINT)
    await step(client, auth, ticket["id"], "contact")
    await step(client, auth, ticket["id"], "reply", note="已处理")
    await step(client, auth, ticket["id"], "callback", rating="satisfied")
    assert not await sweep(platform, datetime(2027, 1, 1, tzinfo=TZ))
    t = await detail(client, auth, ticket["id"])
    assert not t["overdue"] and not t["escalated"]


async def test_overdue_filter_lists_only_overdue_tickets(client, auth, units, platform):
    late = await create(client, auth, REPAIR)
    await create(client, auth, COMPLAINT)
    await sweep(platform, datetime(2026, 3, 10, 10, 0, tzinfo=TZ))
    resp = await client.get("/api/tickets?overdue=true", headers=auth)
    body = await resp.json()
    assert [t["id"] for t in body["items"]] == [late["id"]]
    assert body["items"][0]["customer"]["phone"] == "138****5678"


async def test_sweep_query_uses_the_next_check_index(platform):
    """The sweep must not scan closed tickets: its predicate is served by an index."""
    async with platform.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = (await conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM ticket_deadlines WHERE next_check_at <= '2026-01-01' "
                "ORDER BY next_check_at LIMIT 500"))).all()
            detail_text = " ".join(str(row[-1]) for row in plan)
            assert "ix_ticket_deadlines_next_check_at" in detail_text
        else:
            await conn.execute(text("SET enable_seqscan = off"))
            plan = (await conn.execute(text(
                "EXPLAIN SELECT id FROM ticket_deadlines WHERE next_check_at <= now() "
                "ORDER BY next_check_at LIMIT 500"))).all()
            assert "ix_ticket_deadlines_next_check_at" in " ".join(row[0] for row in plan)
