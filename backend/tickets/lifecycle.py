"""The ticket state machine: which step is legal when, and what each step does.

accepted → dispatched → processing → replied → closed, with rework
(dissatisfied callback, reopen) going back to processing. Steps that are not
legal in the current state raise Conflict, which the API turns into a 409.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from backend.context import Platform
from backend.errors import Conflict, InvalidInput
from backend.models import Ticket, TicketEvent
from backend.observability import request_ids
from backend.tickets import clocks
from backend.tickets.schemas import TicketEventCreate
from glossary.names import TICKET_STATUSES

OPEN = ("accepted", "dispatched", "processing", "replied")
BEFORE_REPLY = ("accepted", "dispatched", "processing")
STATUS_NAMES = TICKET_STATUSES


def record(ticket: Ticket, kind: str, actor: str, at: datetime, note: str | None = None,
           key: str | None = None, **data: object) -> TicketEvent:
    event = TicketEvent(kind=kind, actor=actor, note=note, data=data, idempotency_key=key,
                        created_at=at, request_id=request_ids.current())
    ticket.events.append(event)
    ticket.updated_at = at
    return event


def escalate(platform: Platform, ticket: Ticket, reason: str, actor: str, at: datetime,
             key: str | None = None) -> TicketEvent:
    if ticket.escalated_at is None:
        ticket.escalated_at = at
    clocks.meet(ticket, "escalate", at)
    return record(ticket, "escalate", actor, at, key=key, reason=reason)


def start_major_escalation(platform: Platform, ticket: Ticket, at: datetime) -> None:
    """A complaint graded major/special gets the escalation clock and is escalated at once:
    the supervisor is told now; the clock records that it happened within its limit."""
    names = {r.name for r in platform.rules.clocks["complaint_major"]}
    if not any(d.name in names for d in ticket.deadlines):
        clocks.start_clocks(platform, ticket, platform.rules.clocks["complaint_major"], at)
    if any(d.met_by == "escalate" for d in clocks.open_deadlines(ticket)):
        escalate(platform, ticket, f"{ticket.grade}_complaint", "system", at)


def needs_callback(platform: Platform, ticket: Ticket) -> bool:
    return ticket.type in platform.rules.callback_types and not ticket.anonymous \
        and bool(ticket.customer_phone)


def _require(ticket: Ticket, states: tuple[str, ...], step: str) -> None:
    if ticket.status not in states:
        if ticket.status == "closed":
            raise Conflict("工单已办结，如需继续处理请先重新开启（reopen）。", code="ticket_closed")
        raise Conflict(
            f"工单当前状态为“{STATUS_NAMES[ticket.status]}”，不能执行“{step}”。",
            code="illegal_step", details={"status": ticket.status, "step": step},
        )


def _require_type(ticket: Ticket, types: tuple[str, ...], step: str) -> None:
    if ticket.type not in types:
        raise Conflict(f"“{step}”只适用于{'、'.join(types)}工单。", code="illegal_step",
                       details={"type": ticket.type, "step": step})


def _start_callback(platform: Platform, ticket: Ticket, at: datetime) -> None:
    if needs_callback(platform, ticket):
        rules = platform.rules.clocks["callback"]
        clocks.start_clocks(platform, ticket, rules, at, clocks.next_round(ticket, {"callback"}))


def _rework(platform: Platform, ticket: Ticket, at: datetime) -> None:
    clocks.cancel_open(ticket, at, {"callback"})
    rules = clocks.rework_rules(platform, ticket)
    clocks.start_clocks(platform, ticket, rules, at, clocks.next_round(ticket, {r.name for r in rules}))
    ticket.status = "processing"
    ticket.reopen_count += 1
    ticket.closed_at = None


def _close(ticket: Ticket, at: datetime) -> None:
    ticket.status = "closed"
    ticket.closed_at = at


Step = Callable[[Platform, Ticket, TicketEventCreate, datetime], None]
Check = Callable[[Ticket], None]


# When each step is legal, by the ticket alone (its type, status and open clocks): each step
# runs its check first, and `legal_steps` asks the same checks, so the console's buttons
# and the API's 409 cannot disagree. What the body must carry is checked by the step itself.
def _check_arrive(t: Ticket) -> None:
    _require_type(t, ("fault_repair",), "到达现场")
    _require(t, BEFORE_REPLY, "到达现场")
    if not any(d.met_by == "arrive" for d in clocks.open_deadlines(t)):
        raise Conflict("抢修人员到达现场已登记。", code="illegal_step")


def _check_restore(t: Ticket) -> None:
    _require_type(t, ("fault_repair",), "恢复送电")
    _require(t, BEFORE_REPLY, "恢复送电")
    if any(d.met_by == "arrive" for d in clocks.open_deadlines(t)):
        raise Conflict("请先登记抢修人员到达现场，再登记恢复送电。", code="illegal_step")


def _check_reply(t: Ticket) -> None:
    if t.type == "fault_repair":
        raise Conflict("抢修工单以“恢复送电”回单。", code="illegal_step")
    _require(t, BEFORE_REPLY, "答复")


def _check_close(t: Ticket) -> None:
    _require(t, OPEN, "办结")
    if t.status == "replied" and any(d.met_by == "callback" for d in clocks.open_deadlines(t)):
        raise Conflict("该工单需先完成回访再办结。", code="callback_pending")


def _check_grade(t: Ticket) -> None:
    _require_type(t, ("complaint",), "定级")
    _require(t, OPEN, "定级")


CHECKS: dict[str, Check] = {
    "dispatch": lambda t: _require(t, BEFORE_REPLY, "派单"),
    "accept": lambda t: _require(t, ("dispatched",), "接单"),
    "contact": lambda t: _require(t, BEFORE_REPLY, "联系客户"),
    "arrive": _check_arrive, "restore": _check_restore, "reply": _check_reply,
    "callback": lambda t: _require(t, ("replied",), "回访"),
    "reopen": lambda t: _require(t, ("replied", "closed"), "重新开启"),
    "escalate": lambda t: _require(t, OPEN, "升级"),
    "close": _check_close,
    "urge": lambda t: _require(t, OPEN, "催办"),
    "note": lambda t: None,
    "grade": _check_grade,
}


def legal_steps(ticket: Ticket) -> list[str]:
    """The steps the ticket's state allows now, in CHECKS order (the same checks the steps make)."""
    legal = []
    for kind, check in CHECKS.items():
        try:
            check(ticket)
        except Conflict:
            continue
        legal.append(kind)
    return legal


def _dispatch(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    CHECKS["dispatch"](t)
    if body.unit:
        t.unit_id = body.unit  # checked to exist by the caller
    t.needs_manual_dispatch = False  # a person has chosen where it goes
    clocks.meet(t, "dispatch", at)
    t.status = "dispatched"


def _accept(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    CHECKS["accept"](t)
    t.status = "processing"


def _contact(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    CHECKS["contact"](t)
    clocks.meet(t, "contact", at)
    if t.status == "dispatched":
        t.status = "processing"


def _arrive(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    _check_arrive(t)
    clocks.meet(t, "arrive", at)
    clocks.restart_from(p, t, "arrive", at)
    t.status = "processing"


def _restore(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    _check_restore(t)
    clocks.meet(t, "restore", at)
    t.status = "replied"
    _start_callback(p, t, at)


def _reply(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    _check_reply(t)
    if not body.note:
        raise InvalidInput("答复时请填写处理意见（note）。")
    clocks.meet(t, "reply", at)
    t.status = "replied"
    _start_callback(p, t, at)


def _callback(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    CHECKS["callback"](t)
    if body.rating is None:
        raise InvalidInput("回访请填写评价（rating）：satisfied、basically_satisfied、"
                           "dissatisfied 或 no_answer。")
    if body.rating == "no_answer":
        t.callback_attempts += 1
        if t.callback_attempts < p.rules.callback_max_attempts:
            return
        t.rating = "callback_failed"
        clocks.meet(t, "callback", at)
        _close(t, at)
        return
    t.rating = body.rating
    clocks.meet(t, "callback", at)
    if body.rating == "dissatisfied":
        _rework(p, t, at)
    else:
        _close(t, at)


def _reopen(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    CHECKS["reopen"](t)
    if not (body.reason or body.note):
        raise InvalidInput("重新开启工单请说明原因（reason）。")
    _rework(p, t, at)


def _close_step(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    _check_close(t)
    if t.status != "replied":
        if not body.reason:
            raise InvalidInput("未答复的工单办结须说明原因（reason），如客户撤诉、重复工单。")
        clocks.cancel_open(t, at)
    _close(t, at)


def _urge(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    CHECKS["urge"](t)
    t.urge_count += 1


def _note(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    if not body.note:
        raise InvalidInput("备注内容不能为空。")


def _grade(p: Platform, t: Ticket, body: TicketEventCreate, at: datetime) -> None:
    _check_grade(t)
    if body.grade is None:
        raise InvalidInput("请提供投诉等级（grade）。")
    t.grade = body.grade
    if t.grade in p.rules.escalate_grades:
        start_major_escalation(p, t, at)


STEPS: dict[str, Step] = {
    "dispatch": _dispatch, "accept": _accept, "contact": _contact, "arrive": _arrive,
    "restore": _restore, "reply": _reply, "callback": _callback, "reopen": _reopen,
    "close": _close_step, "urge": _urge, "note": _note, "grade": _grade,
}


def apply_step(platform: Platform, ticket: Ticket, body: TicketEventCreate, actor: str,
               at: datetime, key: str | None = None) -> TicketEvent:
    """Check and apply one lifecycle step, recorded in the ticket's history.

    The step is recorded before its consequences (an escalation after a
    regrade, say) so the history reads in order; a refused step raises and
    the caller's transaction, record included, is discarded.
    """
    if body.kind == "escalate":
        CHECKS["escalate"](ticket)
        return escalate(platform, ticket, body.reason or "manual", actor, at, key=key)
    data = {k: v for k, v in body.dict(exclude={"kind", "note"}).items() if v is not None}
    event = record(ticket, body.kind, actor, at, note=body.note, key=key, **data)
    STEPS[body.kind](platform, ticket, body, at)
    return event
