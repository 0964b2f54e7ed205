"""Look-ups by 户号 (backend/api/lookups.py): one answer whether it exists, and a limit on guessing.

The finding (issue #9): `/api/outages?account_no=` answered 200 for a known 户号 and 404 for an
unknown one, while the identity check hid it; and the identity check's lockout counted per 户号
only, so one client could try many 户号 five times each.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.api.auth import hash_token
from backend.models import StaffSession, StaffUser, Ticket
from glossary.identifiers import CUSTOMER_REF_HEADER
from tests.backend.tickets.helpers import REPAIR
from tests.backend.units_fixture import seed_units

KNOWN = "3301234567890"  # the fixture's account in 坪山社区 (千岛湖供电所, 33012701)
UNKNOWN = "3309999999999"
NOTICE = {"type": "planned", "start_at": "2026-03-10T13:00:00+08:00",
          "expected_end_at": "2026-03-10T18:00:00+08:00", "reason": "10kV 坪山线检修",
          "scopes": [{"area_id": 1}]}


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def staff_of(platform, clock, unit_id: str, username: str, role: str = "agent") -> dict[str, str]:
    token = secrets.token_urlsafe(16)
    async with platform.sessions() as session:
        user = StaffUser(username=username, display_name=username, password_hash="x", role=role, unit_id=unit_id)
        session.add(user)
        await session.flush()
        session.add(StaffSession(token_hash=hash_token(token), user_id=user.id,
                                 expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session={token}"}


async def outages(client, headers, account_no: str):
    return await client.get("/api/outages", params={"account_no": account_no, "date": "2026-03-10"},
                            headers=headers)


async def test_another_units_account_is_answered_like_an_unknown_one(client, auth, platform, clock, units):
    assert (await client.post("/api/outages", json=NOTICE, headers=auth)).status == 201
    own = await staff_of(platform, clock, "33012701", "qdh_agent")
    other = await staff_of(platform, clock, "33012702", "fk_agent")
    # Its own unit's agent, and the assistant, see the notice on the account's area.
    for headers in (own, auth):
        known = await outages(client, headers, KNOWN)
        assert known.status == 200 and len((await known.json())["items"]) == 1
    # Another station's agent learns nothing: the same answer as for a 户号 nobody has.
    answers = []
    for number in (KNOWN, UNKNOWN):
        resp = await outages(client, other, number)
        body = await resp.json()
        assert resp.status == 200 and body["items"] == []
        answers.append({k: v for k, v in body.items() if k != "query"})
        assert body["query"] == {"account_no": "*********" + number[-4:]}  # no 台区 that would tell them apart
        assert number not in await resp.text()
    assert answers[0] == answers[1]
    # The assistant too answers an unknown 户号 like a known one without notices (not a 404).
    assert (await outages(client, auth, UNKNOWN)).status == 200


async def test_one_customer_may_name_only_so_many_different_accounts(client, auth, platform, units):
    limit = platform.rules.account_lookups.max_accounts_per_client
    guesser = {**auth, CUSTOMER_REF_HEADER: "web:guesser"}
    for n in range(limit):
        assert (await outages(client, guesser, f"33010000{n:05d}")).status == 200
    # Asking again about one already named is free: a customer asking twice is not guessing.
    assert (await outages(client, guesser, "3301000000000")).status == 200
    refused = await outages(client, guesser, KNOWN)
    assert refused.status == 429
    error = (await refused.json())["error"]
    assert error["code"] == "too_many_lookups" and error["message"].startswith("查询过于频繁")
    assert error["details"]["retry_after_seconds"] > 0
    # The identity check is the same look-up: refused before anything is checked.
    verify = await client.post("/api/accounts/verify", json={"account_no": KNOWN, "phone_last4": "5678"},
                               headers=guesser)
    assert verify.status == 429 and (await verify.json())["error"]["code"] == "too_many_lookups"
    # Another customer, and the back end speaking for nobody in particular, are not held back.
    other = {**auth, CUSTOMER_REF_HEADER: "web:someone-else"}
    assert (await outages(client, other, KNOWN)).status == 200
    assert (await outages(client, auth, KNOWN)).status == 200


async def test_the_limit_lets_go_once_the_window_has_passed(client, auth, platform, clock, units):
    rules = platform.rules.account_lookups
    guesser = {**auth, CUSTOMER_REF_HEADER: "wechat:o-guesser"}
    for n in range(rules.max_accounts_per_client):
        await outages(client, guesser, f"33010000{n:05d}")
    assert (await outages(client, guesser, KNOWN)).status == 429
    clock.advance(seconds=rules.window_seconds + 1)
    assert (await outages(client, guesser, KNOWN)).status == 200


async def test_a_staff_member_is_counted_over_all_their_sessions(client, platform, clock, units):
    limit = platform.rules.account_lookups.max_accounts_per_client
    first = await staff_of(platform, clock, "33", "centre_agent")
    async with platform.sessions() as session:  # a second session of the same agent
        user_id = await session.scalar(select(StaffUser.id).where(StaffUser.username == "centre_agent"))
        session.add(StaffSession(token_hash=hash_token("second-desk"), user_id=user_id,
                                 expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    for n in range(limit):
        assert (await outages(client, first, f"33010000{n:05d}")).status == 200
    assert (await outages(client, {"Cookie": "session=second-desk"}, KNOWN)).status == 429


async def test_a_staff_ticket_naming_another_units_account_uses_none_of_its_data(client, auth, platform, clock,
                                                                                 units):
    """Before: the new ticket came back with the other unit's customer unmasked, filed in their queue."""
    other = await staff_of(platform, clock, "33012702", "fk_agent2")
    body = {**REPAIR, "area": "下姜村", "customer": {"phone": "13900009999", "account_no": KNOWN}}
    resp = await client.post("/api/tickets", json=body, headers=other)
    assert resp.status == 201, await resp.text()
    view = await resp.json()
    assert view["unit"]["id"] == "33012702"  # where the agent filed it, not the account's unit
    text = await resp.text()
    assert "王建国" not in text and "坪山社区12幢" not in text and "13812345678" not in text
    async with platform.sessions() as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.ticket_no == view["id"]))
    assert ticket.customer_name is None and ticket.customer_phone == "13900009999"
