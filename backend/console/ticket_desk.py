"""The ticket desk's reading of a ticket: timers against its clocks, and the steps it allows now.

Terms:
- A clock (TicketDeadline) is *running* while neither met nor cancelled.
- Its timer state, at the platform's `now`:
  `overdue`  — running and now ≥ due_at (or the scheduler already marked it breached);
  `warning`  — running and at least `warn_fraction` (service_rules.yml) of started_at → due_at used;
  `on_time`  — running, less used than that;
  `met` / `met_late` — stopped by its step, before / after its due time; `cancelled`.
  Computed here from the clock's times rather than from the scheduler's `warned_at`, so the
  console is right even between two scheduler sweeps, and a test clock moves it.
- A ticket's timer is the timer of its running clock due first (`none` when nothing runs);
  queues sort by that due time, overdue first.
- The steps offered are `lifecycle.legal_steps` (the same checks the steps make, one source of
  truth), less the customer's chase (urge) and the steps the caller's role may not take
  (policy.STEP_ROLES), each with the fields its body needs.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import surveys
from backend.api.auth import Principal
from backend.api.policy import STEP_ROLES
from backend.api.scope import unrestricted
from backend.console import wording as say
from backend.context import Platform
from backend.models import Ticket, TicketDeadline, Unit
from backend.tickets.clocks import open_deadlines
from backend.tickets.lifecycle import legal_steps
from backend.tickets.views import deadline_view, detail_view, iso, summary_view
from backend.units import subtree_ids
from glossary.names import COMPLAINT_GRADES, DEADLINES, RATINGS

NOT_OFFERED = ("urge",)  # the customer's chase, recorded by the channels, not a handler's step
CALLBACK_RATINGS = ("satisfied", "basically_satisfied", "dissatisfied", "no_answer")


def timer(d: TicketDeadline, now: datetime, warn_fraction: float) -> dict[str, Any]:
    """One clock as the desk shows it: its state at `now` and the seconds left (negative: overdue by)."""
    if d.cancelled_at is not None:
        state = "cancelled"
    elif d.met_at is not None:
        state = "met_late" if d.breached_at is not None or d.met_at > d.due_at else "met"
    elif d.breached_at is not None or now >= d.due_at:
        state = "overdue"
    elif (now - d.started_at) >= (d.due_at - d.started_at) * warn_fraction:
        state = "warning"
    else:
        state = "on_time"
    running = d.met_at is None and d.cancelled_at is None
    return {**deadline_view(d), "label": DEADLINES.get(d.name, d.name), "timer": state,
            "seconds_left": int((d.due_at - now).total_seconds()) if running else None}


def ticket_timer(ticket: Ticket, now: datetime, warn_fraction: float) -> dict[str, Any]:
    """The ticket's nearest running clock (the one the queue sorts by), or state `none`."""
    running = sorted(open_deadlines(ticket), key=lambda d: (d.due_at, d.id or 0))
    if not running:
        return {"timer": "none", "name": None, "label": None, "due_at": None, "seconds_left": None}
    return timer(running[0], now, warn_fraction)


def queue_item(ticket: Ticket, now: datetime, warn_fraction: float) -> dict[str, Any]:
    """A queue line: the masked summary and the nearest timer."""
    return {**summary_view(ticket), "timer": ticket_timer(ticket, now, warn_fraction)}


def offered_steps(ticket: Ticket, who: Principal) -> list[str]:
    """The legal steps this caller may take on the ticket now."""
    role = who.role if who.kind == "staff" else "service"
    return [k for k in legal_steps(ticket)
            if k not in NOT_OFFERED and (k not in STEP_ROLES or role in STEP_ROLES[k])]


async def dispatch_targets(session: AsyncSession, who: Principal, ticket: Ticket) -> list[dict[str, str]]:
    """Units a dispatch may send the ticket to: the caller's subtree (everything for admins); its own first."""
    rows = (await session.execute(select(Unit.id, Unit.name).order_by(Unit.id))).all()
    allowed = None if unrestricted(who) or who.unit_id is None else set(await subtree_ids(session, who.unit_id))
    found = [{"id": uid, "name": name} for uid, name in rows if allowed is None or uid in allowed]
    return sorted(found, key=lambda u: u["id"] != ticket.unit_id)


def step_fields(kind: str, ticket: Ticket, targets: list[dict[str, str]]) -> list[dict[str, Any]]:
    """What the step's body needs, as form fields (name = the body's key)."""
    if kind == "dispatch":
        return [{"name": "unit", "input": "choice", "required": True,
                 "options": [{"value": t["id"], "label": t["name"]} for t in targets]}]
    if kind == "reply":
        return [{"name": "note", "input": "textarea", "required": True}]
    if kind == "callback":
        names = {**RATINGS, "no_answer": say.NO_ANSWER}
        return [{"name": "rating", "input": "choice", "required": True,
                 "options": [{"value": r, "label": names[r]} for r in CALLBACK_RATINGS]}]
    if kind == "grade":
        return [{"name": "grade", "input": "choice", "required": True,
                 "options": [{"value": g, "label": n} for g, n in COMPLAINT_GRADES.items()]}]
    if kind in ("escalate", "reopen"):
        return [{"name": "reason", "input": "text", "required": True}]
    if kind == "close":
        return [{"name": "reason", "input": "text", "required": ticket.status != "replied"}]
    if kind == "note":
        return [{"name": "note", "input": "textarea", "required": True}]
    return [{"name": "note", "input": "text", "required": False}]


async def steps_view(session: AsyncSession, who: Principal, ticket: Ticket) -> list[dict[str, Any]]:
    """The steps offered, each with its fields."""
    kinds = offered_steps(ticket, who)
    targets = await dispatch_targets(session, who, ticket) if "dispatch" in kinds else []
    return [{"kind": k, "fields": step_fields(k, ticket, targets)} for k in kinds]


async def desk_detail(platform: Platform, session: AsyncSession, who: Principal, ticket: Ticket) -> dict[str, Any]:
    """The detail panel: the masked ticket, every clock with its timer, the history and the steps offered."""
    now, fraction = platform.clock(), platform.rules.warn_fraction
    view = detail_view(ticket)
    view["clocks"] = [timer(d, now, fraction) for d in ticket.deadlines]
    view["timer"] = ticket_timer(ticket, now, fraction)
    view["steps"] = await steps_view(session, who, ticket)
    view["surveys"] = await surveys.for_ticket(session, ticket.id)  # the customer's own ratings, masked
    view["now"] = iso(now)
    return view
