"""One id per customer message, from the channel to the ticket (issue #11)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.models import Message, TicketEvent
from backend.observability import request_ids
from tests.backend.tickets.helpers import REPAIR, create
from tests.backend.units_fixture import seed_units
from tests.backend.web.test_chat import ask, connect, new_session


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def test_every_answer_carries_the_request_id_and_a_callers_own_is_kept(client, auth):
    for path, headers in (("/healthz", {}), ("/api/tickets", {}), ("/no/such/page", {}),
                          ("/api/tickets", auth), ("/complaint", {})):
        resp = await client.get(path, headers=headers)
        made = resp.headers.get("X-Request-Id")
        assert made and request_ids.accepted(made) == made, (path, resp.status)
    resp = await client.get("/healthz", headers={"X-Request-Id": "ivr-vendor:call-42.7"})
    assert resp.headers["X-Request-Id"] == "ivr-vendor:call-42.7"


@pytest.mark.parametrize("given", ["two words", "x" * 65, "bad\u200bchar", "-leading-dash", "换行"])
async def test_a_malformed_id_is_replaced_not_echoed(client, given):
    resp = await client.get("/healthz", headers={"X-Request-Id": given})
    echoed = resp.headers["X-Request-Id"]
    assert echoed != given and request_ids.accepted(echoed) == echoed


async def test_the_ticket_events_a_request_causes_carry_its_id(client, auth, units, platform):
    ticket = await create(client, auth, REPAIR, **{"X-Request-Id": "msg-0001"})
    await client.post(f"/api/tickets/{ticket['id']}/events", json={"kind": "dispatch"},
                      headers={**auth, "X-Request-Id": "msg-0002"})
    async with platform.sessions() as session:
        events = (await session.execute(select(TicketEvent.kind, TicketEvent.request_id)
                                        .order_by(TicketEvent.id))).all()
    assert events[0].request_id == "msg-0001"
    assert ("dispatch", "msg-0002") in events
    assert {rid for _, rid in events} == {"msg-0001", "msg-0002"}


async def test_a_hotline_turn_reaches_rasa_and_the_transcript_under_the_ivr_request_id(backend, fake_rasa, auth,
                                                                                      platform):
    resp = await backend.post("/webhooks/ivr", headers={**auth, "X-Request-Id": "call-9-seq-1"},
                              json={"call_id": "call-9", "seq": 1, "event": "text", "text": "我家停电了"})
    assert resp.status == 200 and resp.headers["X-Request-Id"] == "call-9-seq-1"
    [sent] = fake_rasa.received
    assert sent["metadata"]["request_id"] == "call-9-seq-1"
    assert fake_rasa.request_headers == ["call-9-seq-1"]
    async with platform.sessions() as session:
        lines = (await session.execute(select(Message.sender, Message.request_id))).all()
    assert lines and {rid for _, rid in lines} == {"call-9-seq-1"}  # the caller's line and the replies


async def test_each_web_chat_message_on_one_socket_gets_its_own_id(backend, fake_rasa):
    ws, _ = await connect(backend, (await new_session(backend))["token"])
    for n in (1, 2):
        await ask(ws, f"message-000{n}", "停电了")
    await ws.close()
    ids = [m["metadata"]["request_id"] for m in fake_rasa.received]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(request_ids.accepted(i) for i in ids)
    assert fake_rasa.request_headers == ids
