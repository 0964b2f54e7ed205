"""Agent assist: what the console shows beside the reply box.

- The suggestion: the customer's last line (as stored, masked) goes to Rasa's
  stateless `POST /model/parse` (RasaClient.parse); the intent it names is mapped
  to a reply by backend/console/suggestions.py. The conversation's tracker and
  webhook are never called: they would run the assistant's actions (and file
  tickets) behind the agent's back. Rasa unreachable: status `unavailable`,
  and the rest of the panel still works.
- The customer's open tickets: those filed in this conversation
  (`tickets.conversation_id`), plus other open tickets of the same customer when
  those tickets name a phone or 户号. Masked (the full data only through the panel's audited reveal). Each
  carries its next deadline: the earliest clock still running (not met, not
  cancelled; an overdue one counts and says so).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.console.suggestions import suggest
from backend.models import Message, Ticket
from backend.router.rasa import RasaClient, RasaUnavailable
from backend.tickets.views import customer_view, iso
from glossary.names import DEADLINES, TICKET_STATUSES, TICKET_TYPES, name_of

OPEN_TICKETS_LIMIT = 20


async def last_customer_line(session: AsyncSession, conversation_id: str) -> Message | None:
    """The customer's newest line (stored masked)."""
    return await session.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                      Message.sender == "customer")
                                .order_by(Message.seq.desc()).limit(1))


async def suggestion(rasa: RasaClient, channel: str, last: Message | None) -> dict[str, Any]:
    """The assistant's reading of the customer's last line and the reply it suggests.

    Called outside any database session: Rasa may take seconds, and an open
    SQLite read would hold writers back meanwhile."""
    if last is None:
        return {"status": "no_line"}
    line = {"seq": last.seq, "text": last.text}
    try:
        seen = await rasa.parse(last.text)
    except RasaUnavailable:
        return {"status": "unavailable", "line": line}
    found = suggest(seen.name if seen else None, channel)
    return {"status": "ok", "line": line, "intent": seen.name if seen else None,
            "confidence": seen.confidence if seen else None,
            "reply": found.text if found else None, "source": found.source if found else None}


def _next_deadline(ticket: Ticket, now: datetime) -> dict[str, Any] | None:
    running = [d for d in ticket.deadlines if d.met_at is None and d.cancelled_at is None]
    if not running:
        return None
    first = min(running, key=lambda d: d.due_at)
    return {"name": first.name, "label": name_of(DEADLINES, first.name), "due_at": iso(first.due_at),
            "overdue": first.breached_at is not None or first.due_at <= now}


def _ticket(ticket: Ticket, conversation_id: str, now: datetime) -> dict[str, Any]:
    return {"id": ticket.ticket_no, "type": ticket.type, "type_name": name_of(TICKET_TYPES, ticket.type),
            "status": ticket.status, "status_name": name_of(TICKET_STATUSES, ticket.status),
            "created_at": iso(ticket.created_at), "this_conversation": ticket.conversation_id == conversation_id,
            "customer": customer_view(ticket, reveal=False), "next_deadline": _next_deadline(ticket, now)}


async def open_tickets(session: AsyncSession, conversation_id: str, now: datetime) -> list[dict[str, Any]]:
    """The customer's open tickets, this conversation's first, each with its next deadline (masked)."""
    loaded = (selectinload(Ticket.deadlines),)
    own = (await session.scalars(select(Ticket).options(*loaded)
                                 .where(Ticket.conversation_id == conversation_id)
                                 .order_by(Ticket.id.desc()).limit(OPEN_TICKETS_LIMIT))).all()
    phones = {t.customer_phone for t in own if t.customer_phone and not t.anonymous}
    accounts = {t.account_no for t in own if t.account_no and not t.anonymous}
    others: list[Ticket] = []
    if phones or accounts:
        same_customer = [Ticket.customer_phone.in_(phones)] if phones else []
        same_customer += [Ticket.account_no.in_(accounts)] if accounts else []
        others = list((await session.scalars(
            select(Ticket).options(*loaded)
            .where(or_(*same_customer), Ticket.status != "closed",
                   or_(Ticket.conversation_id.is_(None), Ticket.conversation_id != conversation_id))
            .order_by(Ticket.id.desc()).limit(OPEN_TICKETS_LIMIT))).all())
    return [_ticket(t, conversation_id, now) for t in [*own, *others] if t.status != "closed"]
