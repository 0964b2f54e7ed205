"""Tickets as the API shows them: ISO times in Asia/Shanghai, personal data masked
wherever the reader does not need it (PIPL)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.models import Ticket, TicketDeadline
from backend.privacy import mask_account_no, mask_address, mask_name, mask_phone, mask_text
from backend.sla.calendar import TZ
from backend.tickets.clocks import current_deadlines
from glossary.names import TICKET_TYPES

TYPE_NAMES = TICKET_TYPES


def iso(value: datetime | None) -> str | None:
    # Whole seconds: these times are read out to customers and shown to staff.
    return value.astimezone(TZ).replace(microsecond=0).isoformat() if value else None


def deadline_view(d: TicketDeadline) -> dict[str, Any]:
    return {
        "name": d.name, "round": d.round, "limit": d.limit, "state": d.state,
        "provisional": d.provisional, "started_at": iso(d.started_at), "due_at": iso(d.due_at),
        "warn_at": iso(d.warn_at), "met_at": iso(d.met_at), "breached_at": iso(d.breached_at),
    }


def customer_view(ticket: Ticket, reveal: bool = False) -> dict[str, Any]:
    """Masked unless `reveal`: only the audited reveal (backend/api/reveal.py) asks for
    the full fields, and it has applied the confidential rule before asking."""
    if reveal:
        return {"name": ticket.customer_name, "phone": ticket.customer_phone,
                "account_no": ticket.account_no}
    return {"name": mask_name(ticket.customer_name), "phone": mask_phone(ticket.customer_phone),
            "account_no": mask_account_no(ticket.account_no)}


def is_overdue(ticket: Ticket) -> bool:
    return any(d.breached_at is not None and d.met_at is None and d.cancelled_at is None
               for d in ticket.deadlines)


def summary_view(ticket: Ticket) -> dict[str, Any]:
    """What a list shows: everything personal masked."""
    current = current_deadlines(ticket)
    return {
        "id": ticket.ticket_no, "type": ticket.type, "type_name": TYPE_NAMES[ticket.type],
        "kind": ticket.subtype, "status": ticket.status, "channel": ticket.channel,
        "created_at": iso(ticket.created_at), "updated_at": iso(ticket.updated_at),
        "closed_at": iso(ticket.closed_at),
        "unit": {"id": ticket.unit.id, "name": ticket.unit.name},
        "site_class": ticket.site_class,
        "customer": customer_view(ticket, reveal=False),
        "address": mask_address(ticket.address),
        "grade": ticket.grade, "escalated": ticket.escalated_at is not None,
        "is_repeat": ticket.is_repeat, "overdue": is_overdue(ticket),
        "needs_manual_dispatch": ticket.needs_manual_dispatch,
        "deadlines": {name: iso(d.due_at) for name, d in current.items()},
    }


def reveal_view(ticket: Ticket) -> dict[str, Any]:
    """The full contact data and description: the answer of an audited reveal, nothing else."""
    return {"id": ticket.ticket_no, "customer": customer_view(ticket, reveal=True),
            "address": ticket.address, "description": ticket.description}


def detail_view(ticket: Ticket) -> dict[str, Any]:
    """A ticket in full, its customer always masked (the reveal is a separate, audited request).

    Free text (description, event notes) passes mask_text for every caller, the service
    token included (a confidential complaint's text is the handler's to reveal, not an
    integration's), because customers and handlers type phones and addresses into it.
    """
    def text(value: str) -> str:  # the customer's own name too, where a description or note repeats it
        return mask_text(value, names=(ticket.customer_name,))

    view = summary_view(ticket)
    view.update({
        "description": text(ticket.description) if ticket.description else ticket.description,
        "customer": customer_view(ticket),
        "address": mask_address(ticket.address),
        "area": ({"id": ticket.area.id, "name": ticket.area.full_name} if ticket.area else None),
        "parent_id": ticket.parent.ticket_no if ticket.parent else None,
        "complaint_class": ticket.complaint_class,
        "escalation_intent": ticket.escalation_intent,
        "escalation_keywords": ticket.escalation_keywords,
        "escalated_at": iso(ticket.escalated_at),
        "anonymous": ticket.anonymous, "confidential": ticket.confidential,
        "safety_hazard": ticket.safety_hazard, "rating": ticket.rating,
        "callback_attempts": ticket.callback_attempts, "reopen_count": ticket.reopen_count,
        "urge_count": ticket.urge_count, "conversation_id": ticket.conversation_id,
        "clocks": [deadline_view(d) for d in ticket.deadlines],
        "events": [
            {"kind": e.kind, "actor": e.actor, "at": iso(e.created_at), "note": text(e.note) if e.note else e.note,
             **({"data": e.data} if e.data else {})}
            for e in ticket.events
        ],
    })
    return view
