"""Who reads which transcript (scope.CONVERSATION), tried as a station's agent would try it.

The finding (issue #9): every staff role, unit handlers included, read every transcript in the
province. Now the contact centre (the root unit's agents and supervisors) reads every one, the
agent holding a conversation reads it, and a unit's staff only their own customers' (a ticket
filed from the conversation into their subtree).
"""
from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

import pytest

from backend.api.auth import hash_token
from backend.models import StaffSession, StaffUser
from tests.backend.console.test_console_api import read_events
from tests.backend.router.conftest import SERVICE
from tests.backend.tickets.helpers import REPAIR

FENKOU, QIANDAOHU = "33012702", "33012701"  # sibling stations; 下姜村 is 汾口's, 坪山社区 千岛湖's


async def staff(platform, username: str, unit_id: str, role: str = "agent") -> dict[str, str]:
    token = secrets.token_urlsafe(16)
    async with platform.sessions() as session:
        user = StaffUser(username=username, display_name=username, role=role, unit_id=unit_id, password_hash="-")
        session.add(user)
        await session.flush()
        session.add(StaffSession(token_hash=hash_token(token), user_id=user.id, created_at=platform.clock(),
                                 expires_at=platform.clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session={token}"}


@pytest.fixture
async def customers(backend, router, agents, platform) -> dict[str, str]:
    """Two customers waiting for an agent, each with a repair filed in one station's area."""
    ids = {}
    for station, area in ((FENKOU, "下姜村"), (QIANDAOHU, "坪山社区")):
        conversation = await router.open("web", f"customer-of-{station}")
        await router.handle_customer_message(conversation, "家里停电了，我要找人工")
        handoff = await backend.post("/api/conversations/handoffs", headers=SERVICE,
                                     json={"channel": "web", "sender_id": conversation.id, "reason": "request_human"})
        assert handoff.status in (200, 201), await handoff.text()
        filed = await backend.post("/api/tickets", headers=SERVICE,
                                   json={**REPAIR, "area": area, "conversation_id": conversation.id})
        assert (await filed.json())["unit"]["id"] == station
        ids[station] = conversation.id
    return ids


async def listed(backend, headers) -> set[str]:
    resp = await backend.get("/api/conversations", headers=headers)
    assert resp.status == 200
    return {c["id"] for c in (await resp.json())["items"]}


async def refused(resp) -> bool:
    return resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit"


async def test_a_stations_agent_reads_only_their_own_customers(backend, platform, agents, customers):
    fenkou = await staff(platform, "fk_agent", FENKOU)
    mine, theirs = customers[FENKOU], customers[QIANDAOHU]
    assert await listed(backend, fenkou) == {mine}
    assert (await backend.get(f"/api/conversations/{mine}", headers=fenkou)).status == 200
    for method, path, body in (
            ("GET", f"/api/conversations/{theirs}", None),
            ("GET", f"/api/conversations/{theirs}/assist", None),
            ("POST", f"/api/conversations/{theirs}/claim", None),
            ("POST", f"/api/conversations/{theirs}/reveal", {"reason": "回访客户核实故障地址"}),
            ("POST", f"/api/conversations/{theirs}/transfer", {"to": "fk_agent"})):
        assert await refused(await backend.request(method, path, headers=fenkou, json=body)), path
    # The contact centre (the province's agents) serves every customer.
    assert await listed(backend, agents["agent1"]) >= {mine, theirs}


async def test_a_conversation_handed_to_a_station_agent_is_theirs_to_read(backend, platform, agents, customers):
    fenkou = await staff(platform, "fk_agent", FENKOU)
    theirs = customers[QIANDAOHU]
    assert (await backend.post(f"/api/conversations/{theirs}/claim", headers=agents["agent1"])).status == 200
    moved = await backend.post(f"/api/conversations/{theirs}/transfer", headers=agents["agent1"],
                               json={"to": "fk_agent"})
    assert moved.status == 200, await moved.text()
    assert theirs in await listed(backend, fenkou)
    said = await backend.post(f"/api/conversations/{theirs}/messages", headers=fenkou, json={"text": "您好，我来处理"})
    assert said.status == 201


async def test_the_feed_carries_no_line_of_another_stations_customer(backend, router, platform, agents, customers):
    platform.rules = replace(platform.rules, console=replace(platform.rules.console, poll_seconds=0.05))
    fenkou = await staff(platform, "fk_agent", FENKOU)
    mine, theirs = customers[FENKOU], customers[QIANDAOHU]
    resp = await backend.get(f"/console/events?open={theirs}&after=0", headers=fenkou)
    assert resp.status == 200
    [(name, _)] = await read_events(resp, 1)
    assert name == "ready"
    await router.handle_customer_message(await router.open("web", f"customer-of-{QIANDAOHU}"), "我的户号3301234567890")
    await router.handle_customer_message(await router.open("web", f"customer-of-{FENKOU}"), "还在等吗")
    seen: list[tuple[str, dict]] = []
    try:
        # Their own customer's news arrives (a timeout here fails the test) ...
        while not any(n == "conversation" and d["id"] == mine for n, d in seen):
            seen += await read_events(resp, 1)
        # ... and whatever else the stream sends in the next polls.
        while True:
            try:
                seen += await read_events(resp, 1, timeout=0.5)
            except TimeoutError:
                break
    finally:
        resp.close()
    assert not any(n == "lines" for n, _ in seen)
    assert all(d["id"] != theirs for n, d in seen if n == "conversation")
