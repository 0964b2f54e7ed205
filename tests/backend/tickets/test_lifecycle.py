"""Lifecycle steps: what each does to status and clocks, and which are refused."""
from __future__ import annotations

from datetime import datetime

import pytest

from backend.sla.calendar import TZ
from tests.backend.tickets.helpers import COMPLAINT, REPAIR, clock_named, create, step
from tests.backend.units_fixture import seed_units


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def test_repair_from_dispatch_to_satisfied_callback(client, auth, units, clock):
    ticket = await create(client, auth, REPAIR)
    tid = ticket["id"]
    clock.advance(minutes=3)
    t = await step(client, auth, tid, "dispatch")
    assert t["status"] == "dispatched" and clock_named(t, "dispatch")["state"] == "met"
    t = await step(client, auth, tid, "accept")
    assert t["status"] == "processing"
    clock.advance(minutes=30)  # 09:33, within the 45-minute urban limit
    t = await step(client, auth, tid, "arrive")
    assert clock_named(t, "arrival")["state"] == "met"
    restore = clock_named(t, "restore")
    # The restore clock now runs three hours from the real arrival, no longer provisional.
    assert restore["provisional"] is False
    assert restore["due_at"] == datetime(2026, 3, 10, 12, 33, tzinfo=TZ).isoformat()
    clock.advance(hours=1)
    t = await step(client, auth, tid, "restore")
    assert t["status"] == "replied"
    assert t["deadlines"]["callback"] == datetime(2026, 3, 11, 10, 33, tzinfo=TZ).isoformat()
    t = await step(client, auth, tid, "callback", rating="satisfied")
    assert t["status"] == "closed" and t["rating"] == "satisfied"
    assert [e["kind"] for e in t["events"]] == [
        "create", "dispatch", "accept", "arrive", "restore", "callback"]


async def test_restore_before_arrival_is_refused(client, auth, units):
    ticket = await create(client, auth, REPAIR)
    t = await step(client, auth, ticket["id"], "restore", expect=409)
    assert t["error"]["code"] == "illegal_step"
    assert "到达现场" in t["error"]["message"]


async def test_arrival_twice_is_refused(client, auth, units):
    ticket = await create(client, auth, REPAIR)
    await step(client, auth, ticket["id"], "arrive")
    await step(client, auth, ticket["id"], "arrive", expect=409)


@pytest.mark.parametrize("kind, fields", [
    ("accept", {}),                                   # not dispatched yet
    ("callback", {"rating": "satisfied"}),            # nothing replied yet
    ("reopen", {"reason": "客户不满意"}),              # still open
])
async def test_steps_out_of_order_are_409(client, auth, units, kind, fields):
    ticket = await create(client, auth, COMPLAINT)
    body = await step(client, auth, ticket["id"], kind, expect=409, **fields)
    assert body["error"]["code"] == "illegal_step"
    assert "当前状态" in body["error"]["message"]


async def test_repair_only_steps_are_refused_on_a_complaint(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    await step(client, auth, ticket["id"], "arrive", expect=409)
    repair = await create(client, auth, REPAIR)
    await step(client, auth, repair["id"], "reply", expect=409, note="已处理")


async def test_reply_needs_the_handling_opinion(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    body = await step(client, auth, ticket["id"], "reply", expect=422)
    assert "处理意见" in body["error"]["message"]


async def test_dissatisfied_callback_sends_complaint_back_for_rework(client, auth, units, clock):
    ticket = await create(client, auth, COMPLAINT)
    tid = ticket["id"]
    await step(client, auth, tid, "contact")
    clock.advance(days=1)
    await step(client, auth, tid, "reply", note="已对抄表员批评教育并向客户道歉")
    clock.advance(hours=2)  # Wed 2026-03-11 11:00
    t = await step(client, auth, tid, "callback", rating="dissatisfied")
    assert t["status"] == "processing" and t["rating"] == "dissatisfied" and t["reopen_count"] == 1
    assert clock_named(t, "reply", 1)["state"] == "met"
    # Round 2 of the reply clock: five working days from the rework start.
    rework = clock_named(t, "reply", 2)
    assert rework["due_at"] == datetime(2026, 3, 18, 23, 59, 59, tzinfo=TZ).isoformat()
    assert t["deadlines"]["reply"] == rework["due_at"]
    await step(client, auth, tid, "reply", note="已更换抄表员并上门致歉")
    t = await step(client, auth, tid, "callback", rating="basically_satisfied")
    assert t["status"] == "closed"


async def test_callback_no_answer_three_times_is_callback_failed(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    await step(client, auth, ticket["id"], "reply", note="已处理")
    for _ in range(2):
        t = await step(client, auth, ticket["id"], "callback", rating="no_answer")
        assert t["status"] == "replied"
    t = await step(client, auth, ticket["id"], "callback", rating="no_answer")
    assert t["status"] == "closed" and t["rating"] == "callback_failed"
    assert t["callback_attempts"] == 3


async def test_close_needs_callback_first_and_a_reason_before_reply(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    body = await step(client, auth, ticket["id"], "close", expect=422)
    assert "原因" in body["error"]["message"]
    await step(client, auth, ticket["id"], "reply", note="已处理")
    body = await step(client, auth, ticket["id"], "close", expect=409)
    assert body["error"]["code"] == "callback_pending"


async def test_withdrawn_ticket_closes_and_stops_its_clocks(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    t = await step(client, auth, ticket["id"], "close", reason="客户来电撤诉")
    assert t["status"] == "closed"
    assert {c["state"] for c in t["clocks"]} == {"cancelled"}
    body = await step(client, auth, ticket["id"], "urge", expect=409)
    assert body["error"]["code"] == "ticket_closed"


async def test_praise_closes_after_reply_without_callback(client, auth, units):
    ticket = await create(client, auth, {"type": "praise", "description": "抢修师傅半夜赶来，非常负责",
                                         "customer": {"phone": "13812345678"}})
    t = await step(client, auth, ticket["id"], "reply", note="已转达并表扬抢修班组")
    assert "callback" not in t["deadlines"]
    t = await step(client, auth, ticket["id"], "close")
    assert t["status"] == "closed"


async def test_regrading_to_major_escalates(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    t = await step(client, auth, ticket["id"], "grade", grade="major")
    assert t["grade"] == "major" and t["escalated"] is True
    assert clock_named(t, "escalation")["state"] == "met"


async def test_unknown_step_is_422_and_unknown_ticket_404(client, auth, units):
    ticket = await create(client, auth, COMPLAINT)
    body = await step(client, auth, ticket["id"], "teleport", expect=422)
    assert body["error"]["code"] == "invalid_input"
    resp = await client.post("/api/tickets/GD20260101999999/events", json={"kind": "urge"},
                             headers=auth)
    assert resp.status == 404
    assert "工单" in (await resp.json())["error"]["message"]
