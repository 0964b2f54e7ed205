"""A customer's copy of their data and its deletion on request (backend/privacy_requests.py),
handled by the contact centre and written to the audit log."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from backend.models import Conversation, Message, Survey, Ticket
from tests.backend.api.test_audit_and_login import audit_of, login
from tests.backend.tickets.helpers import REPAIR, create

PHONE = "13812345678"  # 王建国, account 3301234567890 in the units fixture
OTHER = "13900002222"
REFERENCE = "客户来电申请（隐私第31号），已核对身份证件"


async def conversation_with_lines(platform, cid: str, state: str, text: str) -> None:
    now = platform.clock()
    async with platform.sessions() as session:
        session.add(Conversation(id=cid, channel="web", external_id=cid, state=state, created_at=now, updated_at=now))
        await session.flush()
        for seq in (1, 2):
            session.add(Message(conversation_id=cid, seq=seq, sender="customer", text=text, created_at=now))
        await session.commit()


async def customer_history(client, auth, platform) -> tuple[dict, dict, dict]:
    """王建国: a closed repair from a web chat with a survey comment, an open one from another chat;
    someone else's repair beside them."""
    await conversation_with_lines(platform, "chat-closed", "closed", "我家停电了，我叫王建国")
    await conversation_with_lines(platform, "chat-open", "bot", "又停电了")
    closed = await create(client, auth, {**REPAIR, "conversation_id": "chat-closed",
                                         "address": "杭州市淳安县千岛湖镇坪山社区12幢301"})
    still_open = await create(client, auth, {**REPAIR, "conversation_id": "chat-open"})
    other = await create(client, auth, {**REPAIR, "customer": {"name": "赵六", "phone": OTHER}})
    now = platform.clock()
    async with platform.sessions() as session:
        await session.execute(update(Ticket).where(Ticket.ticket_no == closed["id"])
                              .values(status="closed", closed_at=now - timedelta(days=3)))
        ticket_id = await session.scalar(select(Ticket.id).where(Ticket.ticket_no == closed["id"]))
        session.add(Survey(subject="ticket", ticket_id=ticket_id, channel="web", unit_id="33012701",
                           offer_key=f"ticket:{ticket_id}", offered_at=now, answered_at=now,
                           rating="satisfied", comment="师傅来得很快"))
        await session.commit()
    return closed, still_open, other


async def test_the_contact_centre_gives_a_customer_everything_held_about_them_and_only_that(
        client, auth, platform, staff):
    closed, still_open, other = await customer_history(client, auth, platform)
    await login(client, "boss_centre")
    resp = await client.post("/api/privacy/export", json={"phone": "138-1234-5678", "reference": REFERENCE})
    assert resp.status == 200, await resp.text()
    copy = await resp.json()
    assert copy["subject"] == {"phone": "138****5678", "account_no": None}
    assert [a["account_no"] for a in copy["accounts"]] == ["3301234567890"]
    assert copy["accounts"][0]["name"] == "王建国" and copy["accounts"][0]["phone"] == PHONE  # their own data, whole
    assert {t["id"] for t in copy["tickets"]} == {closed["id"], still_open["id"]}  # not 赵六's
    assert all(t["phone"] == PHONE for t in copy["tickets"])
    assert {c["id"] for c in copy["conversations"]} == {"chat-closed", "chat-open"}
    assert [s["comment"] for s in copy["surveys"]] == ["师傅来得很快"]
    assert resp.headers["Cache-Control"] == "no-store"
    [entry] = [e for e in await audit_of(client) if e["action"] == "privacy.export"]
    assert entry["reason"] == REFERENCE and PHONE not in str(entry) and "138****5678" in entry["target_id"]
    assert other["id"] not in str(copy)


async def test_erasure_removes_what_need_not_be_kept_and_says_why_the_rest_stays(client, auth, platform, staff):
    closed, still_open, _ = await customer_history(client, auth, platform)
    await login(client, "boss_centre")
    resp = await client.post("/api/privacy/erase", json={"account_no": "3301 2345 67890", "reference": REFERENCE})
    assert resp.status == 200, await resp.text()
    done = await resp.json()
    assert done["erased"] == {"tickets": 1, "transcript_lines": 2, "survey_comments": 1}
    kept = {(k["kind"], k["id"]): k["why"] for k in done["kept"]}
    assert kept[("ticket", still_open["id"])] == "工单尚在办理中，办结后删除"
    assert "供用电合同" in kept[("account", "*********7890")]
    async with platform.sessions() as session:
        erased = await session.scalar(select(Ticket).where(Ticket.ticket_no == closed["id"]))
        active = await session.scalar(select(Ticket).where(Ticket.ticket_no == still_open["id"]))
        lines = dict((await session.execute(select(Message.conversation_id, func.count())
                                            .group_by(Message.conversation_id))).all())
        survey = await session.scalar(select(Survey))
    assert (erased.customer_name, erased.customer_phone, erased.address) == (None, None, None)
    assert erased.status == "closed" and erased.description  # the handling record stays
    assert active.customer_phone == PHONE  # still being handled: the handler must reach the customer
    assert lines == {"chat-open": 2}
    assert survey.rating == "satisfied" and survey.comment is None
    actions = [e["action"] for e in await audit_of(client)]
    assert "privacy.erase" in actions and "privacy.erased" in actions

    again = await (await client.post("/api/privacy/erase", json={"account_no": "3301234567890",
                                                                 "reference": REFERENCE})).json()
    assert again["erased"] == {"tickets": 0, "transcript_lines": 0, "survey_comments": 0}


async def test_a_city_supervisor_cannot_export_or_erase_and_nothing_is_done(client, auth, platform, staff):
    closed, _, _ = await customer_history(client, auth, platform)
    await login(client, "boss_a")  # 汾口供电所
    for path in ("/api/privacy/export", "/api/privacy/erase"):
        resp = await client.post(path, json={"phone": PHONE, "reference": REFERENCE})
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit"
    async with platform.sessions() as session:
        assert (await session.scalar(select(Ticket).where(Ticket.ticket_no == closed["id"]))).customer_phone == PHONE


async def test_a_request_without_a_customer_or_a_reference_is_refused_in_chinese(client, staff):
    await login(client, "boss_centre")
    for body, field in (({"reference": REFERENCE}, "请提供客户的手机号码或户号"),
                        ({"phone": "12345", "reference": REFERENCE}, "手机号码"),
                        ({"phone": PHONE, "reference": "   "}, "reference")):
        resp = await client.post("/api/privacy/erase", json=body)
        assert resp.status == 422 and field in await resp.text(), body
