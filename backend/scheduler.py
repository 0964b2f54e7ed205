"""The deadline sweep: warnings at 80 % of a clock, overdue after it, escalation
of overdue complaints. Runs inside the backend process every few seconds.

Only TicketDeadline.next_check_at is scanned, through its index; it is NULL
for finished clocks, so the sweep's cost follows the due clocks, not the
archive. On PostgreSQL, rows are claimed with SKIP LOCKED so several backend
replicas can sweep at once without doing the same work twice.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from backend import retention
from backend.context import Platform
from backend.models import CustomerTurn, IvrTurn, StaffSession, Ticket, TicketDeadline
from backend.observability.metrics import SCHEDULER_FAILURES
from backend.tickets.lifecycle import escalate, record

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    escalated: int = 0

    def __bool__(self) -> bool:
        return bool(self.warned or self.breached or self.escalated)


async def sweep(platform: Platform, now: datetime | None = None) -> SweepResult:
    """One pass over the clocks that need attention at `now`."""
    now = now or platform.clock()
    result = SweepResult()
    async with platform.sessions() as session:
        stmt = (
            select(TicketDeadline)
            .where(TicketDeadline.next_check_at <= now)
            .order_by(TicketDeadline.next_check_at)
            .limit(platform.rules.scheduler_batch)
            .options(selectinload(TicketDeadline.ticket).selectinload(Ticket.events),
                     selectinload(TicketDeadline.ticket).selectinload(Ticket.deadlines))
        )
        if session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=TicketDeadline)
        for deadline in (await session.scalars(stmt)).all():
            _check(platform, deadline, now, result)
        await session.commit()
    return result


def _check(platform: Platform, deadline: TicketDeadline, now: datetime, result: SweepResult) -> None:
    ticket = deadline.ticket
    if now < deadline.due_at:
        if deadline.warned_at is None:
            deadline.warned_at = now
            result.warned += 1
            record(ticket, "warning", "system", now, clock=deadline.name, round=deadline.round,
                   due_at=deadline.due_at.isoformat())
        deadline.next_check_at = deadline.due_at
        return
    # Breach time is the due time itself, not when the sweep noticed it.
    deadline.breached_at = deadline.due_at
    deadline.next_check_at = None
    result.breached += 1
    record(ticket, "overdue", "system", now, clock=deadline.name, round=deadline.round,
           due_at=deadline.due_at.isoformat())
    if ticket.type == "complaint":
        escalate(platform, ticket, f"overdue:{deadline.name}", "system", now)
        result.escalated += 1


async def forget_old_turns(platform: Platform, now: datetime | None = None) -> int:
    """Delete the stored answers of channel turns older than scheduler.turn_retention_hours.

    They exist so a repeated message gets the same answer; no channel repeats one that
    late, and the transcript (not these rows) is the record of the conversation."""
    cutoff = (now or platform.clock()) - timedelta(hours=platform.rules.turn_retention_hours)
    async with platform.sessions() as session:
        deleted = 0
        for table in (CustomerTurn, IvrTurn):
            result = await session.execute(delete(table).where(table.created_at < cutoff)
                                           .execution_options(synchronize_session=False))
            deleted += result.rowcount or 0
        await session.commit()
    return deleted


async def end_stale_sessions(platform: Platform, now: datetime | None = None) -> int:
    """Delete staff sessions past their end or idle past staff_login.idle_minutes (refused anyway;
    deleting them keeps the table to the sessions that can still be used)."""
    now = now or platform.clock()
    idle_since = now - timedelta(minutes=platform.rules.staff_login.idle_minutes)
    async with platform.sessions() as session:
        result = await session.execute(
            delete(StaffSession).where(or_(StaffSession.expires_at <= now, StaffSession.last_seen_at < idle_since))
            .execution_options(synchronize_session=False))
        await session.commit()
    return result.rowcount or 0


async def run_forever(platform: Platform, on_pass: Callable[[], Awaitable[None]] | None = None) -> None:
    """Background task of the backend process; a failed pass is logged and retried.

    `on_pass` runs after each pass that finished (the health check's beat and the clock gauges)."""
    interval = platform.rules.scheduler_interval
    passes_per_hour = max(1, int(3600 / interval))
    passes = 0
    while True:
        forget_now = passes % passes_per_hour == 0  # the first pass, then about hourly
        passes += 1
        try:
            result = await sweep(platform)
            if result:
                log.info("sweep: %d warned, %d overdue, %d escalated",
                         result.warned, result.breached, result.escalated)
            if forget_now and (forgotten := await forget_old_turns(platform)):
                log.info("sweep: %d stored channel turns past their retention deleted", forgotten)
            if forget_now and (ended := await end_stale_sessions(platform)):
                log.info("sweep: %d expired or idle staff sessions deleted", ended)
            if forget_now and (lines := await retention.forget_old_transcripts(platform)):
                log.info("sweep: %d transcript lines past their retention deleted", lines)
            if forget_now and (erased := await retention.erase_closed_tickets(platform)):
                log.info("sweep: %d closed tickets' customer data erased", erased)
            if on_pass is not None:
                await on_pass()
        except asyncio.CancelledError:
            raise
        except Exception:  # keep the clocks running through a transient DB fault
            SCHEDULER_FAILURES.inc()
            log.exception("deadline sweep failed; retrying in %.0f s", interval)
        await asyncio.sleep(interval)
