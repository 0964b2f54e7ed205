"""Retention (backend/retention.py): old transcripts and old closed tickets' customer data go; what
the indicators need stays; a pass repeated does nothing more."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from backend.models import Conversation, Message, Survey, Ticket
from backend.retention import erase_closed_tickets, forget_old_transcripts
from backend.rules import RulesError, _retention
from tests.backend.tickets.helpers import COMPLAINT, create
from tests.backend.units_fixture import seed_units

PHONE = "13900001111"


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def close(platform, number: str, days_ago: int) -> None:
    async with platform.sessions() as session:
        await session.execute(update(Ticket).where(Ticket.ticket_no == number).values(
            status="closed", closed_at=platform.clock() - timedelta(days=days_ago)))
        await session.commit()


async def test_a_ticket_closed_past_the_period_keeps_its_record_but_not_its_customer(client, auth, platform, units):
    days = platform.rules.retention.closed_ticket_personal_data_days
    body = {**COMPLAINT, "area": "坪山社区", "address": "杭州市淳安县千岛湖镇坪山社区12幢301",
            "customer": {"name": "李梅", "phone": PHONE, "account_no": "3301234567890"},
            "description": f"李梅反映抄表员态度恶劣，回电{PHONE}"}
    old, recent = await create(client, auth, body), await create(client, auth, body)
    await close(platform, old["id"], days + 1)
    await close(platform, recent["id"], days - 1)

    assert await erase_closed_tickets(platform) == 1
    assert await erase_closed_tickets(platform) == 0  # done once is done
    async with platform.sessions() as session:
        erased = await session.scalar(select(Ticket).where(Ticket.ticket_no == old["id"]))
        kept = await session.scalar(select(Ticket).where(Ticket.ticket_no == recent["id"]))
    assert (erased.customer_name, erased.customer_phone, erased.account_no, erased.address) == (None,) * 4
    assert "李梅" not in erased.description and PHONE not in erased.description
    assert "抄表员态度恶劣" in erased.description and erased.type == "complaint" and erased.status == "closed"
    assert (kept.customer_name, kept.customer_phone) == ("李梅", PHONE)
    resp = await client.get(f"/api/tickets/{old['id']}", headers=auth)  # the record still opens
    assert resp.status == 200 and (await resp.json())["customer"]["phone"] is None


async def test_a_transcript_closed_past_the_period_is_deleted_and_its_survey_kept(platform, units):
    days = platform.rules.retention.transcript_days
    now = platform.clock()
    async with platform.sessions() as session:
        for cid, state, age in (("old-closed", "closed", days + 1), ("old-open", "bot", days + 1),
                                ("recent-closed", "closed", days - 1)):
            session.add(Conversation(id=cid, channel="web", external_id=cid, state=state,
                                     created_at=now - timedelta(days=age), updated_at=now - timedelta(days=age)))
            await session.flush()
            for seq in (1, 2):
                session.add(Message(conversation_id=cid, seq=seq, sender="customer", text="我家停电了"))
        await session.flush()
        line = await session.scalar(select(Message.id).where(Message.conversation_id == "old-closed"))
        session.add(Survey(subject="conversation", conversation_id="old-closed", channel="web", unit_id="33",
                           line_id=line, offer_key="chat:old-closed", offered_at=now, rating="satisfied"))
        await session.commit()

    assert await forget_old_transcripts(platform) == 2
    assert await forget_old_transcripts(platform) == 0
    async with platform.sessions() as session:
        left = dict((await session.execute(select(Message.conversation_id, func.count())
                                           .group_by(Message.conversation_id))).all())
        survey = await session.scalar(select(Survey))
        assert await session.get(Conversation, "old-closed") is not None
    assert left == {"old-open": 2, "recent-closed": 2}  # an open conversation is never cut
    assert survey.rating == "satisfied" and survey.line_id is None


def test_the_ticket_period_must_outlast_the_repeat_complaint_window(platform):
    window = platform.rules.repeat_window_days
    with pytest.raises(RulesError, match="repeat_window_days"):
        _retention({"transcript_days": 180, "closed_ticket_personal_data_days": window}, window)
    assert _retention({"transcript_days": 1, "closed_ticket_personal_data_days": window + 1}, window)
