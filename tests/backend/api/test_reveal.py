"""Masked by default, revealed on request (issues #8 and #9): staff read every ticket masked;
`POST /api/tickets/{id}/reveal` and `/api/conversations/{id}/reveal` answer the full
contact data for a stated reason, write "ticket.reveal"/"conversation.reveal" to the
audit log first, and keep confidential tickets to their own unit's staff and supervisors.

Units (tests/backend/units_fixture.py): the tickets land in 千岛湖供电所 (33012701, area
坪山社区); 330127 is its county (the parent); 33012702 is the sibling station.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from backend.api.auth import hash_token
from backend.models import StaffSession, StaffUser
from tests.backend.tickets.helpers import COMPLAINT, REPAIR, create
from tests.backend.units_fixture import seed_units

OWN, COUNTY, SIBLING = "33012701", "330127", "33012702"
STAFF = {"agent_own": ("agent", OWN), "agent_county": ("agent", COUNTY), "agent_sibling": ("agent", SIBLING),
         "boss_county": ("supervisor", COUNTY), "root": ("admin", "33"),
         "agent_centre": ("agent", "33")}  # the contact centre: the root unit's hotline agents
PHONE, ADDRESS = "13812345678", "杭州市淳安县千岛湖镇坪山社区12幢301"
TICKET = {**REPAIR, "address": ADDRESS, "customer": {"name": "王建国", "phone": PHONE, "account_no": "3301234567890"},
          "description": f"家里突然停电，请打{PHONE}联系"}
REASON = {"reason": "回访客户，需要核对联系电话"}


@pytest.fixture
async def people(platform, clock) -> dict[str, dict[str, str]]:
    """A session cookie for each staff member of STAFF."""
    await seed_units(platform)
    cookies = {}
    async with platform.sessions() as session:
        for username, (role, unit) in STAFF.items():
            user = StaffUser(username=username, display_name=username, role=role, unit_id=unit, password_hash="x")
            session.add(user)
            await session.flush()
            token = secrets.token_urlsafe(16)
            session.add(StaffSession(token_hash=hash_token(token), user_id=user.id,
                                     expires_at=clock() + timedelta(hours=8)))
            cookies[username] = {"Cookie": f"session={token}"}
        await session.commit()
    return cookies


async def reveal(client, who: dict[str, str], ticket_no: str, body: dict | None = None):
    return await client.post(f"/api/tickets/{ticket_no}/reveal", json=REASON if body is None else body,
                             headers=who)


async def test_staff_read_a_ticket_masked_and_free_text_masked(client, auth, people):
    # The customer's own name repeated without a cue, and another person's name after one.
    described = {**TICKET, "description": f"王建国家里突然停电，联系人李晓梅，请打{PHONE}联系"}
    ticket = await create(client, auth, described)
    for path in (f"/api/tickets/{ticket['id']}", f"/api/console/tickets/{ticket['id']}"):
        resp = await client.get(path, headers=people["agent_own"])
        assert resp.status == 200, await resp.text()
        text = await resp.text()
        assert PHONE not in text and "3301234567890" not in text and "王建国" not in text, path
        assert "李晓梅" not in text and "联系人李**" in text, path
        assert "12幢301" not in text and "138****5678" in text, path
    service = await (await client.get(f"/api/tickets/{ticket['id']}", headers=auth)).json()
    assert PHONE not in service["description"] and "王**" in service["description"]  # the service's view too
    assert service["customer"]["phone"] == "138****5678"


async def test_reveal_needs_a_reason_and_is_audited(client, auth, people):
    ticket = await create(client, auth, TICKET)
    for body in ({}, {"reason": ""}, {"reason": "   看看 "}, {"reason": "x" * 201}):
        resp = await reveal(client, people["agent_own"], ticket["id"], body)
        assert resp.status == 422, body
    resp = await reveal(client, people["agent_own"], ticket["id"])
    assert resp.status == 200, await resp.text()
    assert resp.headers["Cache-Control"] == "no-store"
    shown = await resp.json()
    assert shown["customer"] == {"name": "王建国", "phone": PHONE, "account_no": "3301234567890"}
    assert shown["address"] == ADDRESS and shown["description"] == TICKET["description"]
    entries = (await (await client.get("/api/audit", params={"action": "ticket.reveal"},
                                       headers=people["boss_county"])).json())["items"]
    assert [(e["actor"], e["target_id"], e["unit"], e["reason"]) for e in entries] == [
        ("staff:agent_own", ticket["id"], OWN, REASON["reason"])]


async def test_another_units_agent_is_refused(client, auth, people):
    ticket = await create(client, auth, TICKET)
    resp = await reveal(client, people["agent_sibling"], ticket["id"])
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit"
    assert (await reveal(client, people["agent_county"], ticket["id"])).status == 200  # an ordinary ticket


async def test_confidential_tickets_only_for_their_own_unit_and_supervisors(client, auth, people):
    ticket = await create(client, auth, {**TICKET, "confidential": True})
    resp = await reveal(client, people["agent_county"], ticket["id"])
    body = await resp.json()
    assert resp.status == 403 and body["error"]["code"] == "confidential" and "保密" in body["error"]["message"]
    for who in ("agent_own", "boss_county", "root"):
        resp = await reveal(client, people[who], ticket["id"])
        assert resp.status == 200, (who, await resp.text())
        assert (await resp.json())["customer"]["phone"] == PHONE


async def test_an_anonymous_complaint_has_nothing_to_reveal(client, auth, people):
    ticket = await create(client, auth, {**COMPLAINT, "area": "坪山社区", "anonymous": True})
    resp = await reveal(client, people["agent_own"], ticket["id"])
    body = await resp.json()
    assert resp.status == 409 and body["error"]["code"] == "nothing_to_reveal"
    assert "匿名" in body["error"]["message"]


async def test_a_conversations_contact_data_is_revealed_and_audited(client, auth, people):
    handoff = await client.post("/api/conversations/handoffs", headers=auth,
                                json={"channel": "web", "sender_id": "c-reveal", "reason": "request_human"})
    conversation = (await handoff.json())["id"]
    ticket = await create(client, auth, {**TICKET, "conversation_id": conversation})
    await create(client, auth, {**TICKET, "conversation_id": conversation, "confidential": True})
    path = f"/api/conversations/{conversation}/reveal"
    assert (await client.post(path, json={}, headers=people["agent_centre"])).status == 422
    for who in ("agent_centre", "agent_own"):  # the hotline serves all; the ticket's unit its own customer
        resp = await client.post(path, json=REASON, headers=people[who])
        assert resp.status == 200, await resp.text()
        shown = await resp.json()
        assert [(t["id"], t["customer"]["phone"]) for t in shown["tickets"]] == [(ticket["id"], PHONE)]
    refused = await client.post(path, json=REASON, headers=people["agent_sibling"])  # not their customer
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "outside_unit"
    assert (await client.post(path, json=REASON, headers=people["root"])).status == 403  # admins take no calls
    entries = (await (await client.get("/api/audit", params={"action": "conversation.reveal"},
                                       headers=people["root"])).json())["items"]
    assert sorted((e["actor"], e["target_id"], e["reason"]) for e in entries) == [
        ("staff:agent_centre", conversation, REASON["reason"]), ("staff:agent_own", conversation, REASON["reason"])]
    empty = await client.post("/api/conversations/nobody/reveal", json=REASON, headers=people["agent_own"])
    assert empty.status == 404
