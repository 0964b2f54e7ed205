"""The audit log (who did what, readable by supervisors of the subtree and admins, masked)
and the login throttle (per username and per address, argon2 off the event loop)."""
from __future__ import annotations

import asyncio
import time

import pytest
from argon2 import PasswordHasher

from backend.api import staff as staff_api
from backend.models import StaffUser
from tests.backend.tickets.helpers import REPAIR, create
from tests.backend.units_fixture import seed_units

NOTICE = {"type": "planned", "start_at": "2026-03-20T08:00:00+08:00",
          "expected_end_at": "2026-03-20T18:00:00+08:00", "reason": "线路检修", "scopes": [{"area_id": 2}]}
USERS = (("boss_a", "supervisor", "33012702"), ("boss_b", "supervisor", "33012701"),
         ("root", "admin", "33"), ("agent_a", "agent", "33012702"), ("boss_centre", "supervisor", "33"))


@pytest.fixture
async def staff(platform):
    await seed_units(platform)
    hasher = PasswordHasher()
    async with platform.sessions() as session:
        for username, role, unit in USERS:
            session.add(StaffUser(username=username, display_name=username, role=role, unit_id=unit,
                                  password_hash=hasher.hash(f"pw-{username}")))
        await session.commit()


async def login(client, username: str, password: str | None = None):
    return await client.post("/api/auth/login", json={"username": username,
                                                      "password": password or f"pw-{username}"})


async def audit_of(client, **params) -> list[dict]:
    resp = await client.get("/api/audit", params=params)
    assert resp.status == 200, await resp.text()
    return (await resp.json())["items"]


async def test_acts_are_logged_and_supervisors_read_their_subtree(client, auth, staff):
    ticket = await create(client, auth, {**REPAIR, "area": "下姜村"})  # unit A (汾口)
    await login(client, "boss_a")
    assert (await client.post(f"/api/tickets/{ticket['id']}/events",
                              json={"kind": "close", "reason": "客户撤诉，电话13812345678"})).status == 201
    assert (await client.post("/api/outages", json=NOTICE)).status == 201
    await login(client, "agent_a", "Secret-guess-1")

    entries = await audit_of(client)
    actions = {(e["action"], e["actor"]) for e in entries}
    assert {("ticket.close", "staff:boss_a"), ("outage.publish", "staff:boss_a"),
            ("login.success", "staff:boss_a"), ("login.failure", "anonymous")} <= actions
    close = next(e for e in entries if e["action"] == "ticket.close")
    assert close["target_id"] == ticket["id"] and close["unit"] == "33012702"
    assert "13812345678" not in close["reason"] and "138****5678" in close["reason"]
    assert "Secret-guess-1" not in str(entries)
    assert [e["action"] for e in await audit_of(client, action="ticket")] == ["ticket.close"]
    assert await audit_of(client, **{"from": "2026-03-11"}) == []
    assert len(await audit_of(client, **{"from": "2026-03-10", "to": "2026-03-10"})) == len(entries)

    await login(client, "boss_b")  # the sibling station's supervisor sees none of A's acts
    assert {e["actor"] for e in await audit_of(client)} == {"staff:boss_b"}
    await login(client, "root")
    assert {e["action"] for e in await audit_of(client, actor="staff:boss_a")} >= {"ticket.close", "outage.publish"}
    await login(client, "agent_a")
    assert (await client.get("/api/audit")).status == 403
    assert (await client.get("/api/audit", headers=auth)).status == 403  # the service token reads no audit


@pytest.mark.parametrize("params", [{"to": "9999-12-31"}, {"from": "0001-01-01"}, {"page": "99999999999999999999"},
                                    {"from": "2026-03-02", "to": "2026-03-01"}])
async def test_bad_audit_queries_are_422(client, staff, params):
    await login(client, "root")
    assert (await client.get("/api/audit", params=params)).status == 422


async def test_takeover_acts_are_logged(client, auth, staff):
    handoff = await client.post("/api/conversations/handoffs", headers=auth,
                                json={"channel": "web", "sender_id": "c-audit", "reason": "request_human"})
    conversation = (await handoff.json())["id"]
    await login(client, "boss_centre")  # the contact centre serves every conversation
    for step, body in (("claim", None), ("messages", {"text": "您好，我是人工客服"}), ("close", None)):
        resp = await client.post(f"/api/conversations/{conversation}/{step}", json=body)
        assert resp.status in (200, 201), await resp.text()
    entries = await audit_of(client, action="conversation")
    assert [e["action"] for e in entries] == ["conversation.close", "conversation.message", "conversation.claim"]
    assert entries[1]["details"]["chars"] == 9 and "您好" not in str(entries)
    assert {e["unit"] for e in entries} == {"33"}


async def test_fifteen_wrong_passwords_then_the_right_one_is_429(client, staff, clock):
    statuses = [(await login(client, "agent_a", "guess")).status for _ in range(15)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    resp = await login(client, "agent_a")
    assert resp.status == 429
    error = (await resp.json())["error"]
    assert error["code"] == "login_throttled" and "分钟后再试" in error["message"]
    clock.advance(minutes=15, seconds=1)  # the window passes
    assert (await login(client, "agent_a")).status == 200


async def test_a_success_does_not_reset_the_address_count(client, staff, clock):
    # 4 wrong for each of 5 usernames: 20 from one address, under each username's limit of 5.
    for username in ("boss_a", "boss_b", "root", "agent_a", "nobody"):
        for _ in range(4):
            assert (await login(client, username, "guess")).status == 401
        if username == "boss_a":
            assert (await login(client, "boss_a")).status == 200  # resets boss_a's count, not the address's
    resp = await login(client, "boss_b")
    assert resp.status == 429
    clock.advance(minutes=16)
    assert (await login(client, "boss_b")).status == 200


async def test_healthz_answers_while_bad_logins_hash(client, staff, monkeypatch):
    hashing: list[int] = []

    def slow_verify(stored: str, given: str) -> bool:
        hashing.append(1)
        time.sleep(1.5)  # a deliberately slow hash: on the event loop it would stall everything
        return False

    monkeypatch.setattr(staff_api, "_password_ok", slow_verify)
    logins = [asyncio.create_task(login(client, f"user{i}", "guess")) for i in range(8)]
    for _ in range(500):  # until the hashes are under way
        if len(hashing) >= 2:
            break
        await asyncio.sleep(0.01)
    started = time.monotonic()
    resp = await client.get("/healthz")
    elapsed = time.monotonic() - started
    assert resp.status == 200 and elapsed < 0.9, elapsed
    assert not all(task.done() for task in logins)
    assert {(await task).status for task in logins} == {401}
