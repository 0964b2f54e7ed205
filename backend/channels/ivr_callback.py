"""A call that ends in the middle of a repair or complaint form becomes a ticket for a callback.

When the caller hangs up, the assistant's tracker (Rasa) says whether a form was
in progress (`active_loop`) and what the caller had given (`slots`). For the
repair form and the complaint form, one ticket is filed through the intake every
channel uses (backend/tickets/intake.py), channel `ivr`:
- its type is the form's (fault_repair, complaint); when the intake refuses it
  for what is still missing (no address for a repair), it is filed as a
  consultation with the same description, so the caller is still called back;
- its description lists the answers the caller gave and the caller's lines of
  the transcript (already masked there); the phone is the form's contact phone,
  else the number the call came from (`caller`);
- it is marked for a callback with a system note (`CALLBACK_NOTE`, 需回访：来电中断)
  and keeps the status `accepted` (已受理): it waits for a person to call back.
  The ticket has no callback flag of its own; the callback step of the
  lifecycle is the one after the reply, not this.
- idempotent per call: the ticket's Idempotency key is `ivr-hangup:<call_id>`,
  the note's event key the same, so a retried hangup files and notes nothing twice.
No phone at all (no contact phone, no caller number): no ticket, a warning in the log.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.context import Platform
from backend.errors import Conflict, InvalidInput
from backend.models import Message, Ticket
from backend.router.rasa import TrackerState
from backend.tickets.intake import create_ticket
from backend.tickets.lifecycle import record
from backend.tickets.queries import load_ticket
from backend.tickets.schemas import Customer, TicketCreate
from glossary.identifiers import parse_account_no, parse_phone
from glossary.names import SITE_CLASSES, TICKET_TYPES

log = logging.getLogger(__name__)

ACTOR = "ivr"
CHANNEL = "ivr"
KEY_PREFIX = "ivr-hangup:"
# Forms whose half-given answers are worth a callback, and the ticket each one files.
FORM_TICKETS = {"repair_form": "fault_repair", "complaint_form": "complaint"}
FALLBACK_TYPE = "consultation"
# Staff-facing text (ticket description and note), never said to the caller.
CALLBACK_NOTE = "需回访：来电中断，客户未说完诉求即挂断，请按来电号码回拨并补全信息。"
HEAD = "来电中断，{type_name}未填完。"
SLOT_LABELS = {
    "fault_description": "故障情况", "safety_hazard": "现场是否有危险", "address": "地址",
    "complaint_what": "投诉内容", "complaint_when": "发生时间", "complaint_where": "发生地点",
    "complaint_outcome": "客户诉求",
}
YES_NO = {True: "是", False: "否"}
CUSTOMER_LINES = 10  # the caller's last transcript lines copied into the description


async def file_callback(platform: Platform, call_id: str, conversation_id: str, state: TrackerState,
                        caller: str | None) -> str | None:
    """The ticket number filed (or filed before) for this call's unfinished form; None when none."""
    form_type = FORM_TICKETS.get(state.active_loop or "")
    if form_type is None:
        return None
    key = KEY_PREFIX + call_id
    existing = await _ticket_for_key(platform, key)
    if existing is None:
        slots = state.filled_slots()
        phone = parse_phone(str(slots.get("contact_phone") or "")) or parse_phone(caller or "")
        if phone is None:
            log.warning("ivr call %s hung up in %s without any phone number: no callback ticket",
                        call_id, state.active_loop)
            return None
        body = await _ticket_body(platform, form_type, conversation_id, slots, phone)
        existing = await _create(platform, body, key)
        if existing is None:
            return None
    await _mark_for_callback(platform, existing, key)
    async with platform.sessions() as session:
        number = await session.scalar(select(Ticket.ticket_no).where(Ticket.id == existing))
    log.info("ivr call %s hung up in %s: callback ticket %s", call_id, state.active_loop, number)
    return number


async def _create(platform: Platform, body: TicketCreate, key: str) -> int | None:
    try:
        row_id, _ = await create_ticket(platform, body, actor=ACTOR, idempotency_key=key)
        return row_id
    except InvalidInput as exc:  # e.g. a repair without an address yet
        log.info("ivr callback ticket as %s refused (%s): filed as %s", body.type, exc.code, FALLBACK_TYPE)
    except Conflict:  # the key was used by a concurrent hangup with other words: its ticket stands
        return await _ticket_for_key(platform, key)
    fallback = TicketCreate(type=FALLBACK_TYPE, channel=CHANNEL, description=body.description,
                            customer=body.customer, conversation_id=body.conversation_id)
    try:
        row_id, _ = await create_ticket(platform, fallback, actor=ACTOR, idempotency_key=key)
        return row_id
    except InvalidInput as exc:
        log.warning("ivr callback ticket refused by the intake: %s (%s)", exc.code, exc.message)
        return None
    except Conflict:
        return await _ticket_for_key(platform, key)


async def _ticket_body(platform: Platform, form_type: str, conversation_id: str, slots: dict[str, Any],
                       phone: str) -> TicketCreate:
    answers = [f"{label}：{_value(slots[name])}" for name, label in SLOT_LABELS.items() if name in slots]
    async with platform.sessions() as session:
        said = (await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id, Message.sender == "customer")
            .order_by(Message.seq.desc()).limit(CUSTOMER_LINES))).all()
    lines = [HEAD.format(type_name=TICKET_TYPES[form_type]), *answers]
    if said:
        lines.append("客户原话（已脱敏）：" + " / ".join(reversed(said)))
    area_id = slots.get("area_id")
    site_class = slots.get("site_class")
    return TicketCreate(
        type=form_type, channel=CHANNEL, description="\n".join(lines)[:4000],
        customer=Customer(phone=phone, account_no=parse_account_no(str(slots.get("account_no") or ""))),
        address=str(slots["address"])[:200] if form_type == "fault_repair" and slots.get("address") else None,
        area_id=area_id if isinstance(area_id, int) and area_id > 0 else None,
        site_class=site_class if site_class in SITE_CLASSES else None,
        safety_hazard=slots.get("safety_hazard") is True, conversation_id=conversation_id)


def _value(value: Any) -> str:
    return YES_NO[value] if isinstance(value, bool) else str(value)


async def _ticket_for_key(platform: Platform, key: str) -> int | None:
    async with platform.sessions() as session:
        return await session.scalar(select(Ticket.id).where(Ticket.idempotency_key == key))


async def _mark_for_callback(platform: Platform, row_id: int, key: str) -> None:
    """The callback note, once."""
    async with platform.sessions() as session:
        ticket = await load_ticket(session, row_id=row_id)
        if any(event.idempotency_key == key for event in ticket.events):
            return
        record(ticket, "note", "system", platform.clock(), note=CALLBACK_NOTE, key=key)
        try:
            await session.commit()
        except IntegrityError:  # a concurrent hangup noted it
            await session.rollback()
