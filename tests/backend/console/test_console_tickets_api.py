"""The ticket desk's API (backend/console/ticket_api.py): the steps offered are exactly the
lifecycle's legal steps for the caller's role, refused steps are 409s, a handler sees only
their unit's subtree, and the timers say on time / warning / overdue as the test clock moves."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from backend.api.auth import hash_token
from backend.api.policy import STEP_ROLES
from backend.models import StaffSession, StaffUser
from backend.tickets.lifecycle import legal_steps
from backend.tickets.queries import load_ticket
from tests.backend.tickets.helpers import COMPLAINT, REPAIR, create, step
from tests.backend.units_fixture import seed_units

UNIT_A, UNIT_B = "33012702", "33012701"  # 汾口 and 千岛湖 stations; REPAIR's 坪山社区 is B's


async def staff(platform, clock, username: str, role: str, unit: str) -> dict[str, str]:
    """A staff member (made on first use) with a fresh session cookie, as the login would set it."""
    token = secrets.token_urlsafe(16)
    async with platform.sessions() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == username))
        if user is None:
            user = StaffUser(username=username, display_name=username, role=role, unit_id=unit, password_hash="-")
            session.add(user)
            await session.flush()
        session.add(StaffSession(token_hash=hash_token(token), user_id=user.id, expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session={token}"}


async def offered(client, headers, ticket_id: str) -> list[str]:
    resp = await client.get(f"/api/tickets/{ticket_id}/steps", headers=headers)
    assert resp.status == 200, await resp.text()
    return [s["kind"] for s in (await resp.json())["steps"]]


async def expected(platform, ticket_id: str, role: str) -> list[str]:
    """The lifecycle's own answer, less the customer's chase and the steps the role may not take."""
    async with platform.sessions() as session:
        ticket = await load_ticket(session, ticket_no=ticket_id)
        return [k for k in legal_steps(ticket) if k != "urge" and role in STEP_ROLES.get(k, (role,))]


async def test_the_steps_offered_are_the_legal_ones_at_each_status(client, auth, platform, clock):
    await seed_units(platform)
    handler = await staff(platform, clock, "h_b", "agent", UNIT_B)
    boss = await staff(platform, clock, "boss_b", "supervisor", "330127")
    repair = (await create(client, auth, REPAIR))["id"]
    assert await offered(client, handler, repair) == ["dispatch", "contact", "arrive", "escalate", "close", "note"]
    assert await offered(client, boss, repair) == await expected(platform, repair, "supervisor")
    resp = await client.post(f"/api/tickets/{repair}/events", json={"kind": "callback", "rating": "satisfied"},
                             headers=handler)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "illegal_step"  # not offered: refused
    walk = [("dispatch", {"unit": UNIT_B}), ("accept", {}), ("arrive", {}), ("restore", {}),
            ("callback", {"rating": "satisfied"})]
    for kind, fields in walk:
        kinds = await offered(client, handler, repair)
        assert kinds == await expected(platform, repair, "agent"), kind
        assert kind in kinds
        await step(client, handler, repair, kind, **fields)
    assert (await (await client.get(f"/api/console/tickets/{repair}", headers=handler)).json())["status"] == "closed"
    assert await offered(client, handler, repair) == ["note"]  # closed: only supervisors reopen
    assert await offered(client, boss, repair) == ["reopen", "note"]
    resp = await client.post(f"/api/tickets/{repair}/events", json={"kind": "accept"}, headers=handler)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "ticket_closed"

    complaint = (await create(client, auth, {**COMPLAINT, "area": "坪山社区"}))["id"]
    kinds = await offered(client, handler, complaint)
    assert kinds == await expected(platform, complaint, "agent")
    assert "reply" in kinds and "arrive" not in kinds and "grade" not in kinds
    assert "grade" in await offered(client, boss, complaint)
    await step(client, handler, complaint, "reply", note="已核实并向客户致歉，抄表员已接受批评教育。")
    kinds = await offered(client, handler, complaint)
    assert kinds == ["callback", "escalate", "note"]  # the callback clock runs: no close before it
    body = (await (await client.get(f"/api/tickets/{complaint}/steps", headers=handler)).json())["steps"]
    rating = next(s for s in body if s["kind"] == "callback")["fields"][0]
    assert rating["name"] == "rating" and rating["required"]
    assert [o["value"] for o in rating["options"]] == ["satisfied", "basically_satisfied", "dissatisfied", "no_answer"]


async def test_a_handler_sees_only_their_subtree(client, auth, platform, clock):
    await seed_units(platform)
    theirs = (await create(client, auth, REPAIR))["id"]  # unit B
    ours = (await create(client, auth, {**REPAIR, "area": "下姜村"}))["id"]  # unit A
    handler_a = await staff(platform, clock, "h_a", "agent", UNIT_A)
    county = await staff(platform, clock, "h_county", "agent", "330127")
    for path in (f"/api/tickets/{theirs}/steps", f"/api/console/tickets/{theirs}"):
        resp = await client.get(path, headers=handler_a)
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit", path
        assert (await client.get(path, headers=county)).status == 200
    queue = await (await client.get("/api/console/tickets", headers=handler_a)).json()
    assert [t["id"] for t in queue["items"]] == [ours]
    assert (await client.get(f"/api/console/tickets?unit={UNIT_B}", headers=handler_a)).status == 403
    assert {t["id"] for t in (await (await client.get("/api/console/tickets", headers=county)).json())["items"]} \
        == {ours, theirs}
    assert (await client.get("/api/console/tickets")).status == 401
    steps = (await (await client.get(f"/api/tickets/{ours}/steps", headers=handler_a)).json())["steps"]
    targets = [o["value"] for o in next(s for s in steps if s["kind"] == "dispatch")["fields"][0]["options"]]
    assert targets == [UNIT_A]  # a station's handler dispatches within the station only
    steps = (await (await client.get(f"/api/tickets/{ours}/steps", headers=county)).json())["steps"]
    targets = [o["value"] for o in next(s for s in steps if s["kind"] == "dispatch")["fields"][0]["options"]]
    assert targets[0] == UNIT_A and set(targets) == {"330127", UNIT_A, UNIT_B}
    resp = await client.post(f"/api/tickets/{ours}/events", json={"kind": "dispatch", "unit": UNIT_B}, headers=handler_a)
    assert resp.status == 403
    page = await client.get("/console/tickets", headers=handler_a)
    assert page.status == 200 and "tickets.js" in await page.text()
    assert (await client.get("/console/tickets", allow_redirects=False)).status == 302


async def test_timers_on_time_warning_and_overdue_with_the_test_clock(client, auth, platform, clock):
    await seed_units(platform)
    handler = await staff(platform, clock, "h_b", "agent", UNIT_B)
    complaint = (await create(client, auth, {**COMPLAINT, "area": "坪山社区"}))["id"]
    clock.advance(minutes=1)
    repair = (await create(client, auth, REPAIR))["id"]
    await step(client, auth, repair, "dispatch")
    await step(client, auth, repair, "accept")
    await step(client, auth, repair, "arrive")
    await step(client, auth, repair, "restore")
    await step(client, auth, repair, "callback", rating="satisfied")  # closed: no running clock

    async def state() -> tuple[str, dict, list[str]]:
        handler = await staff(platform, clock, "h_b", "agent", UNIT_B)  # hours later: a new session
        queue = await (await client.get("/api/console/tickets", headers=handler)).json()
        detail = await (await client.get(f"/api/console/tickets/{complaint}", headers=handler)).json()
        first = next(c for c in detail["clocks"] if c["name"] == "first_contact")
        return first["timer"], first, [t["id"] for t in queue["items"]]

    assert platform.rules.warn_fraction == 0.8
    clock.advance(hours=12, minutes=-1)  # 50 % of the 24 h first contact
    timer, first, order = await state()
    assert timer == "on_time" and first["label"] == "与您首次联系" and first["seconds_left"] == 12 * 3600
    assert order == [complaint, repair]  # a running clock before none
    clock.advance(hours=8, minutes=24)  # 85 %
    timer, first, _ = await state()
    assert timer == "warning" and first["seconds_left"] == int(3.6 * 3600)
    clock.advance(hours=4)  # past due
    timer, first, _ = await state()
    assert timer == "overdue" and first["seconds_left"] < 0
    handler = await staff(platform, clock, "h_b", "agent", UNIT_B)
    queue = await (await client.get("/api/console/tickets", headers=handler)).json()
    item = next(t for t in queue["items"] if t["id"] == complaint)
    assert item["timer"]["timer"] == "overdue" and item["timer"]["name"] == "first_contact"
    assert item["customer"]["phone"] == "139****1111"  # masked in the queue
    late = await (await client.get("/api/console/tickets?overdue=true", headers=handler)).json()
    assert [t["id"] for t in late["items"]] == [complaint]  # no scheduler sweep needed: the filter reads the clock
    detail = await (await client.get(f"/api/console/tickets/{complaint}", headers=handler)).json()
    assert detail["customer"]["phone"] == "139****1111" and detail["timer"]["timer"] == "overdue"
    closed = await (await client.get(f"/api/console/tickets/{repair}", headers=handler)).json()
    assert closed["timer"]["timer"] == "none" and {c["timer"] for c in closed["clocks"]} <= {"met", "met_late"}
    assert closed["steps"] == [{"kind": "note", "fields": [{"name": "note", "input": "textarea", "required": True}]}]


async def test_the_queue_sorts_by_the_nearest_running_deadline_and_pages(client, auth, platform, clock):
    await seed_units(platform)
    handler = await staff(platform, clock, "h_b", "agent", UNIT_B)
    complaint = (await create(client, auth, {**COMPLAINT, "area": "坪山社区"}))["id"]
    clock.advance(minutes=1)
    repair = (await create(client, auth, REPAIR))["id"]  # created later, due sooner (5 min dispatch)
    queue = await (await client.get("/api/console/tickets?per_page=1", headers=handler)).json()
    assert [t["id"] for t in queue["items"]] == [repair] and queue["total"] == 2
    queue = await (await client.get("/api/console/tickets?per_page=1&page=2", headers=handler)).json()
    assert [t["id"] for t in queue["items"]] == [complaint]
    only = await (await client.get("/api/console/tickets?type=complaint", headers=handler)).json()
    assert [t["id"] for t in only["items"]] == [complaint]
    clock.advance(minutes=10)  # no scheduler sweep needed: the timer reads the clock
    queue = await (await client.get("/api/console/tickets", headers=handler)).json()
    assert queue["items"][0]["timer"]["timer"] == "overdue" and queue["items"][0]["timer"]["name"] == "dispatch"
