"""A customer's rights over their personal data (PIPL arts. 45 and 47): a copy, and deletion.

The customer asks on any channel; the contact centre (a supervisor or admin of the root
unit, who serves every customer) checks who is asking before acting, as for any account
enquiry, and gives the request's reference. The audit log records each act before the
answer is given (audit.record(required=True)): who, the reference, the subject masked and
what was found or done.

The subject is a phone number and/or a 户号 (glossary.identifiers). It reaches:
- accounts with that 户号 or phone (and their bills);
- tickets naming that phone or 户号, or a matched account's 户号 or phone;
- the conversations those tickets came from, and the surveys of both.
A web chat or WeChat conversation that never filed a ticket names no phone and cannot be
tied to the customer; retention.transcript_days sweeps it.

Export: everything above as stored (transcripts are stored masked).
Erasure: what need not be kept goes now, the rest is listed with the reason it stays:
- closed tickets lose their customer (retention.erase_customer, as the sweep does after
  closed_ticket_personal_data_days); closed linked conversations lose their lines; survey
  comments are cleared (ratings stay: they carry no person);
- kept: an open ticket (it is being handled for the customer: erased once closed, on a new
  request or by the sweep), an account and its bills (the supply contract and the accounts
  that the law requires the utility to keep).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.context import Platform
from backend.models import Account, Conversation, Message, Survey, Ticket
from backend.privacy import mask_account_no, mask_phone
from backend.retention import erase_customer, forget_lines

KEPT_OPEN_TICKET = "工单尚在办理中，办结后删除"
KEPT_ACCOUNT = "供用电合同履行所必需，合同终止后按规定删除"
KEPT_BILLS = "电费账务记录须按财务档案规定保存"


@dataclass(frozen=True)
class Subject:
    phone: str | None = None
    account_no: str | None = None

    def masked(self) -> dict[str, str | None]:
        return {"phone": mask_phone(self.phone) if self.phone else None,
                "account_no": mask_account_no(self.account_no) if self.account_no else None}


@dataclass
class Holdings:
    """What the utility holds about one subject."""

    accounts: list[Account] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)


async def holdings(session: AsyncSession, subject: Subject) -> Holdings:
    found = Holdings()
    account_match = [c for c in (Account.account_no == subject.account_no if subject.account_no else None,
                                 Account.phone == subject.phone if subject.phone else None) if c is not None]
    found.accounts = list((await session.scalars(
        select(Account).options(selectinload(Account.bills)).where(or_(*account_match)).order_by(Account.id))).all())
    numbers = {a.account_no for a in found.accounts} | ({subject.account_no} if subject.account_no else set())
    phones = {a.phone for a in found.accounts} | ({subject.phone} if subject.phone else set())
    ticket_match = [Ticket.account_no.in_(numbers)] if numbers else []
    if phones:
        ticket_match.append(Ticket.customer_phone.in_(phones))
    found.tickets = list((await session.scalars(
        select(Ticket).options(selectinload(Ticket.events)).where(or_(*ticket_match)).order_by(Ticket.id))).all())
    linked = {t.conversation_id for t in found.tickets if t.conversation_id}
    if linked:
        found.conversations = list((await session.scalars(
            select(Conversation).where(Conversation.id.in_(linked)).order_by(Conversation.created_at))).all())
    ticket_ids = [t.id for t in found.tickets]
    if ticket_ids or linked:
        found.surveys = list((await session.scalars(select(Survey).where(or_(
            Survey.ticket_id.in_(ticket_ids), Survey.conversation_id.in_(linked))).order_by(Survey.id))).all())
    return found


async def export(platform: Platform, subject: Subject) -> dict[str, Any]:
    """The customer's copy: every record above, as stored."""
    async with platform.sessions() as session:
        found = await holdings(session, subject)
        lines: dict[str, list[Message]] = {c.id: [] for c in found.conversations}
        if lines:  # one query for every linked transcript
            for message in await session.scalars(select(Message).where(Message.conversation_id.in_(lines))
                                                 .order_by(Message.conversation_id, Message.seq)):
                lines[message.conversation_id].append(message)
    return {
        "generated_at": platform.clock().isoformat(),
        "accounts": [{"account_no": a.account_no, "name": a.name, "phone": a.phone, "address": a.address,
                      "tariff": a.tariff, "status": a.status,
                      "bills": [{"period": b.period, "kwh": b.kwh_total, "amount": str(b.amount),
                                 "paid_amount": str(b.paid_amount), "due_date": b.due_date.isoformat()}
                                for b in a.bills]} for a in found.accounts],
        "tickets": [{"id": t.ticket_no, "type": t.type, "status": t.status, "channel": t.channel,
                     "created_at": t.created_at.isoformat(), "closed_at": t.closed_at.isoformat() if t.closed_at else None,
                     "customer_name": t.customer_name, "phone": t.customer_phone, "account_no": t.account_no,
                     "address": t.address, "description": t.description,
                     "history": [{"kind": e.kind, "at": e.created_at.isoformat(), "note": e.note}
                                 for e in sorted(t.events, key=lambda e: e.id)]} for t in found.tickets],
        "conversations": [{"id": c.id, "channel": c.channel, "created_at": c.created_at.isoformat(),
                           "lines": [{"at": m.created_at.isoformat(), "sender": m.sender, "text": m.text}
                                     for m in lines[c.id]]} for c in found.conversations],
        "surveys": [{"rating": s.rating, "comment": s.comment,
                     "answered_at": s.answered_at.isoformat() if s.answered_at else None}
                    for s in found.surveys if s.answered_at is not None],
    }


async def erase(platform: Platform, subject: Subject) -> dict[str, Any]:
    """Erase what need not be kept, in one transaction; what was done and what stays, and why."""
    async with platform.sessions() as session:
        found = await holdings(session, subject)
        closed = [t for t in found.tickets if t.status == "closed"]
        for ticket in closed:
            erase_customer(ticket)
        open_conversations = {t.conversation_id for t in found.tickets if t.status != "closed"}
        ended = [c.id for c in found.conversations if c.state == "closed" and c.id not in open_conversations]
        lines = await forget_lines(session, ended)
        comments = 0
        for survey in found.surveys:
            if survey.comment:
                survey.comment, comments = None, comments + 1
        await session.commit()
    kept = [{"kind": "ticket", "id": t.ticket_no, "why": KEPT_OPEN_TICKET}
            for t in found.tickets if t.status != "closed"]
    for account in found.accounts:
        kept.append({"kind": "account", "id": mask_account_no(account.account_no), "why": KEPT_ACCOUNT})
        if account.bills:
            kept.append({"kind": "bills", "id": mask_account_no(account.account_no), "why": KEPT_BILLS})
    return {"erased": {"tickets": len(closed), "transcript_lines": lines, "survey_comments": comments},
            "kept": kept}
