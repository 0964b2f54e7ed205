"""What the web chat page shows, read from the router's transcript: lines, status, ticket cards.

Terms (the token and its conversation: backend/web/chat_sessions.py):
- line: one transcript line as the page draws it, `{"id", "seq", "sender",
  "text", "at"}` (+ `buttons` on a live reply, `options` for a stored buttons-only
  line, `ticket` for a card). `id` is the transcript row id: the page draws each id
  once, so a restored history, live lines and a resent message's stored answer
  never show a line twice. `seq` orders them.
- visible: the lines meant for the customer. System lines that are notes for
  staff are left out: the handoff summary the assistant writes for the agent
  (actor `bot`) and the router's reopening note (service.REOPENED).
- status: the conversation's state, with how many wait ahead in the agents'
  queue; the page words it (chat_wording.STATUS).
- survey: the line that asked for the satisfaction survey, and each survey reply
  of the router (custom `survey`), gets the survey's state (surveys.page_state):
  the page draws the rating buttons or the comment box under the newest of them.
- ticket card: a line that names a ticket (the assistant says its number, or a
  reply's custom `{"ticket": {"id": …}}`) gets the ticket's number, type, status
  and the deadlines promised to the customer, only when that ticket was filed from this same conversation
  (tickets.conversation_id). The page never sees another conversation's ticket or
  any staff view of it.
Texts are the stored ones, masked (backend/privacy.py), live or restored alike.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import surveys
from backend.context import Platform
from backend.errors import NotFound
from backend.models import Conversation, Message, Survey, Ticket
from backend.router import Reply
from backend.router.service import REOPENED
from backend.router.takeover import queue_position
from backend.sla.calendar import TZ
from backend.tickets.clocks import current_deadlines
from backend.tickets.queries import load_ticket
from backend.web import chat_wording as say
from glossary import names
from glossary.identifiers import parse_ticket_id

# How the transcript keeps a buttons-only reply (Reply.transcript_text): "[a] / [b]".
BUTTONS_ONLY = re.compile(r"^\[[^\[\]]+\](?: / \[[^\[\]]+\])*$")
STAFF_NOTE_ACTORS = ("bot",)
# Clocks of the platform's own process (dispatch within 5 minutes, a supervisor's escalation):
# commitments to the customer are the others (arrival, restore, first contact, reply, callback).
INTERNAL_CLOCKS = ("dispatch", "escalation")


def visible(message: Message) -> bool:
    """Whether the customer sees this transcript line (staff notes are not theirs)."""
    if message.sender != "system":
        return True
    return message.actor not in STAFF_NOTE_ACTORS and message.text != REOPENED


def _at(value: datetime | None) -> str | None:
    return value.astimezone(TZ).replace(microsecond=0).isoformat() if value else None


def line_view(message: Message) -> dict[str, Any]:
    """One stored line as the page draws it."""
    line: dict[str, Any] = {"id": message.id, "seq": message.seq, "sender": message.sender,
                            "text": message.text, "at": _at(message.created_at)}
    if message.sender == "bot" and BUTTONS_ONLY.fullmatch(message.text):
        line["options"] = [title[1:-1] for title in message.text.split(" / ")]
        line["text"] = None
    return line


async def history(platform: Platform, conversation_id: str, *, after_seq: int = 0,
                  limit: int = 200) -> list[dict[str, Any]]:
    """The newest `limit` visible lines after `after_seq`, oldest first, with their ticket cards."""
    async with platform.sessions() as session:
        rows = (await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id, Message.seq > after_seq)
            .order_by(Message.seq.desc()).limit(limit))).all()
        lines = [line_view(m) for m in reversed(rows) if visible(m)]
        for line in lines:
            await _add_card(session, conversation_id, line, parse_ticket_id(line["text"])
                            if line["sender"] in ("bot", "agent") else None)
        await _add_surveys(platform, session, conversation_id, lines, {})
    return lines


async def _add_surveys(platform: Platform, session: AsyncSession, conversation_id: str,
                       lines: list[dict[str, Any]], named: dict[int, int]) -> None:
    """Each survey question line (and each survey reply, `named`: line id → survey id) with its survey's state."""
    ids = [line["id"] for line in lines if line.get("id") is not None]
    if not ids:
        return
    rows = (await session.scalars(select(Survey).where(
        Survey.conversation_id == conversation_id,
        Survey.line_id.in_(ids) | Survey.id.in_(list(named.values()) or [-1])))).all()
    by_line = {s.line_id: s for s in rows}
    by_id = {s.id: s for s in rows}
    now = platform.clock()
    for line in lines:
        survey = by_line.get(line.get("id")) or by_id.get(named.get(line.get("id"), -1))
        if survey is not None:
            line["survey"] = surveys.page_state(survey, platform.rules.survey, now)


async def reply_lines(platform: Platform, conversation_id: str, replies: list[Reply]) -> list[dict[str, Any]]:
    """The router's replies as page lines: stored ones as stored (masked) with their buttons,
    a custom-only reply only when it carries a ticket card."""
    ids = [r.line_id for r in replies if r.line_id is not None]
    async with platform.sessions() as session:
        stored = {m.id: m for m in (await session.scalars(select(Message).where(Message.id.in_(ids)))).all()} \
            if ids else {}
        lines = []
        named: dict[int, int] = {}
        for reply in replies:
            message = stored.get(reply.line_id) if reply.line_id is not None else None
            if message is not None:
                line = line_view(message)
            else:
                line = {"id": None, "seq": None, "sender": reply.sender, "text": reply.text, "at": None}
            if reply.buttons:
                line["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
                line.pop("options", None)
                if message is not None and BUTTONS_ONLY.fullmatch(message.text):
                    line["text"] = None
            custom = reply.custom.get("ticket") if reply.custom else None
            number = (custom.get("id") if isinstance(custom, dict) else None) or (
                parse_ticket_id(line["text"]) if reply.sender in ("bot", "agent") else None)
            await _add_card(session, conversation_id, line, number)
            if line["id"] is None and "ticket" not in line:
                continue  # a json_message for another channel (the IVR's handoff): nothing to draw
            survey = reply.custom.get("survey") if reply.custom else None
            if isinstance(survey, dict) and line["id"] is not None:
                named[line["id"]] = int(survey.get("id") or 0)
            lines.append(line)
        await _add_surveys(platform, session, conversation_id, lines, named)
    return lines


async def _add_card(session: AsyncSession, conversation_id: str, line: dict[str, Any],
                    number: str | None) -> None:
    if not number:
        return
    owner = await session.scalar(select(Ticket.conversation_id).where(Ticket.ticket_no == str(number)))
    if owner != conversation_id:
        return  # not filed from this conversation: the customer gets no card for it
    try:
        ticket = await load_ticket(session, ticket_no=str(number))
    except NotFound:
        return
    line["ticket"] = ticket_card(ticket)


def ticket_card(ticket: Ticket) -> dict[str, Any]:
    """What the customer's card shows: number, type, status and each running deadline, in Beijing time."""
    deadlines = []
    for name, deadline in current_deadlines(ticket).items():
        if name in INTERNAL_CLOCKS:
            continue
        due = deadline.due_at.astimezone(TZ)
        deadlines.append({"name": name, "label": names.name_of(names.DEADLINES, name), "at": _at(due),
                          "text": say.DEADLINE_BY.format(when=say.local_time(due))})
    return {"id": ticket.ticket_no, "type": ticket.type, "type_name": names.name_of(names.TICKET_TYPES, ticket.type),
            "status": ticket.status, "status_name": names.name_of(names.TICKET_STATUSES, ticket.status),
            "deadlines": deadlines}


async def status(platform: Platform, conversation_id: str) -> dict[str, Any]:
    """The conversation's state, and for a waiting one how many wait ahead of it."""
    async with platform.sessions() as session:
        conversation = await session.get(Conversation, conversation_id, populate_existing=True)
        if conversation is None:
            return {"state": "closed", "ahead": None}
        position = await queue_position(session, conversation)
    return {"state": conversation.state, "ahead": position - 1 if position else None}
