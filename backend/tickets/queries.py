"""Reading tickets: one with its history, or a filtered page of them."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from backend.errors import NotFound
from backend.models import Ticket, TicketDeadline
from backend.models.tickets import TICKET_STATUSES, TICKET_TYPES
from backend.sla.calendar import TZ
from backend.tickets.schemas import one_of
from backend.units import subtree_ids

_FULL = (
    selectinload(Ticket.deadlines), selectinload(Ticket.events), selectinload(Ticket.unit),
    selectinload(Ticket.area), selectinload(Ticket.parent),
)


async def load_ticket(session: AsyncSession, *, ticket_no: str | None = None,
                      row_id: int | None = None, for_update: bool = False) -> Ticket:
    stmt = select(Ticket).options(*_FULL)
    stmt = stmt.where(Ticket.ticket_no == ticket_no) if ticket_no else stmt.where(Ticket.id == row_id)
    if for_update and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Ticket)
    ticket = await session.scalar(stmt.execution_options(populate_existing=True))
    if ticket is None:
        raise NotFound(f"未找到工单 {ticket_no or row_id}，请核对工单编号。", code="ticket_not_found")
    return ticket


class TicketFilter(BaseModel):
    """What a ticket list may be narrowed by; also the API's query parameters."""

    type: str | None = None
    status: str | None = None
    unit: str | None = Field(None, description="unit id; covers its whole subtree")
    overdue: bool | None = Field(None, description="a clock is past due and still open")
    escalated: bool | None = None
    repeat: bool | None = None
    manual_dispatch: bool | None = Field(None, description="the place was not matched to an area: "
                                         "waiting for a person to choose the unit")
    phone: str | None = None
    account_no: str | None = None
    created_from: date | None = Field(None, alias="from")
    created_to: date | None = Field(None, alias="to", description="inclusive")

    _type = one_of("type", TICKET_TYPES)
    _status = one_of("status", TICKET_STATUSES)

    class Config:
        allow_population_by_field_name = True


def _overdue_clause(now: datetime | None = None):  # noqa: ANN202 - a SQL expression
    """An open clock marked breached by the scheduler; with `now`, also one past due that no sweep marked yet."""
    late = TicketDeadline.breached_at.is_not(None)
    if now is not None:
        late = or_(late, TicketDeadline.due_at <= now)
    return exists().where(
        TicketDeadline.ticket_id == Ticket.id, late,
        TicketDeadline.met_at.is_(None), TicketDeadline.cancelled_at.is_(None),
    )


async def _filtered(session: AsyncSession, f: TicketFilter, stmt: Select, now: datetime | None = None) -> Select:
    if f.type:
        stmt = stmt.where(Ticket.type == f.type)
    if f.status:
        stmt = stmt.where(Ticket.status == f.status)
    if f.unit:
        stmt = stmt.where(Ticket.unit_id.in_(await subtree_ids(session, f.unit)))
    if f.overdue is not None:
        stmt = stmt.where(_overdue_clause(now) if f.overdue else ~_overdue_clause(now))
    if f.escalated is not None:
        stmt = stmt.where(Ticket.escalated_at.is_not(None) if f.escalated else Ticket.escalated_at.is_(None))
    if f.repeat is not None:
        stmt = stmt.where(Ticket.is_repeat.is_(f.repeat))
    if f.manual_dispatch is not None:
        stmt = stmt.where(Ticket.needs_manual_dispatch.is_(f.manual_dispatch))
    if f.phone:
        stmt = stmt.where(Ticket.customer_phone == f.phone)
    if f.account_no:
        stmt = stmt.where(Ticket.account_no == f.account_no)
    if f.created_from:
        stmt = stmt.where(Ticket.created_at >= datetime.combine(f.created_from, time(), TZ))
    if f.created_to:
        day_after = datetime.combine(f.created_to, time(), TZ) + timedelta(days=1)
        stmt = stmt.where(Ticket.created_at < day_after)
    return stmt


async def list_tickets(session: AsyncSession, f: TicketFilter, *, limit: int, offset: int,
                       by_deadline: bool = False, now: datetime | None = None) -> tuple[list[Ticket], int]:
    """A page of tickets, newest first; `by_deadline`: nearest running clock first (none last), for queues.

    `now`: `overdue` also counts clocks past due at `now` that the scheduler has not marked yet
    (the desk's timers read the clock, so its filter must agree with them).
    """
    total = await session.scalar(await _filtered(session, f, select(func.count(Ticket.id)), now))
    stmt = await _filtered(session, f, select(Ticket), now)
    if by_deadline:
        due = (select(TicketDeadline.ticket_id, func.min(TicketDeadline.due_at).label("due"))
               .where(TicketDeadline.met_at.is_(None), TicketDeadline.cancelled_at.is_(None))
               .group_by(TicketDeadline.ticket_id).subquery())
        stmt = stmt.outerjoin(due, due.c.ticket_id == Ticket.id).order_by(
            due.c.due.is_(None), due.c.due, Ticket.id)
    else:
        stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    stmt = stmt.options(selectinload(Ticket.deadlines), selectinload(Ticket.unit)).limit(limit).offset(offset)
    return list((await session.scalars(stmt)).all()), int(total or 0)

