"""Personal data kept no longer than its purpose needs (PIPL): the sweep's retention passes.

Periods live in service_rules.yml `retention`:
- transcript_days: the lines of a conversation closed longer ago are deleted (the conversation's
  row stays: channel, dates, handoff reason and its surveys' ratings feed the indicators; a
  survey's pointer to the line it was asked on is cleared first).
- closed_ticket_personal_data_days: a ticket closed longer ago loses its customer's name, phone,
  户号 and address; its description and notes are kept masked (mask_text, with the customer's
  own name), so the handling record and every indicator stay, but nobody can be reached
  through it any more. Must be longer than complaints.repeat_window_days, which looks up a
  customer's earlier tickets by phone.

Each pass works in batches of scheduler.batch_size, one transaction each, until nothing is
left, and is safe to repeat: what it has done once no longer matches.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.context import Platform
from backend.models import Conversation, Message, Survey, Ticket
from backend.privacy import mask_text


async def forget_old_transcripts(platform: Platform, now: datetime | None = None) -> int:
    """Delete the lines of conversations closed more than retention.transcript_days ago; lines deleted."""
    cutoff = (now or platform.clock()) - timedelta(days=platform.rules.retention.transcript_days)
    deleted = 0
    while (lines := await _forget_batch(platform, cutoff)) is not None:
        deleted += lines
    return deleted


async def _forget_batch(platform: Platform, cutoff: datetime) -> int | None:
    async with platform.sessions() as session:
        closed = (await session.scalars(
            select(Conversation.id).where(Conversation.state == "closed", Conversation.updated_at < cutoff,
                                          Conversation.id.in_(select(Message.conversation_id)))
            .limit(platform.rules.scheduler_batch))).all()
        if not closed:
            return None
        deleted = await forget_lines(session, closed)
        await session.commit()
    return deleted


async def forget_lines(session: AsyncSession, conversation_ids: Sequence[str]) -> int:
    """Delete the transcript lines of these conversations (surveys lose their pointer to a line first)."""
    if not conversation_ids:
        return 0
    lines = select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    await session.execute(update(Survey).where(Survey.line_id.in_(lines)).values(line_id=None)
                          .execution_options(synchronize_session=False))
    result = await session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids))
                                   .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


async def erase_closed_tickets(platform: Platform, now: datetime | None = None) -> int:
    """Erase the customer of tickets closed more than retention.closed_ticket_personal_data_days ago."""
    cutoff = (now or platform.clock()) - timedelta(days=platform.rules.retention.closed_ticket_personal_data_days)
    erased = 0
    while count := await _erase_batch(platform, cutoff):
        erased += count
    return erased


async def _erase_batch(platform: Platform, cutoff: datetime) -> int:
    personal = or_(Ticket.customer_name.is_not(None), Ticket.customer_phone.is_not(None),
                   Ticket.account_no.is_not(None), Ticket.address.is_not(None))
    async with platform.sessions() as session:
        tickets = (await session.scalars(
            select(Ticket).options(selectinload(Ticket.events))
            .where(Ticket.status == "closed", Ticket.closed_at < cutoff, personal)
            .limit(platform.rules.scheduler_batch))).all()
        for ticket in tickets:
            erase_customer(ticket)
        await session.commit()
    return len(tickets)


def erase_customer(ticket: Ticket) -> None:
    """The ticket keeps its handling record, masked; nobody can be reached through it any more.
    Its events must be loaded."""
    names = (ticket.customer_name,)
    if ticket.description:
        ticket.description = mask_text(ticket.description, names=names)
    for event in ticket.events:
        if event.note:
            event.note = mask_text(event.note, names=names)
    ticket.customer_name = ticket.customer_phone = ticket.account_no = ticket.address = None
