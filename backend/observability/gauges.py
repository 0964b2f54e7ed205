"""The metrics read from the database: running clocks, open conversations, undelivered lines.

`refresh_clocks` runs after the deadline sweep's pass (it is what changes them; the
issue: "gauges the sweep keeps current"), at most every CLOCKS_REFRESH_SECONDS;
`refresh_conversations` runs when /metrics is scraped. Each is one grouped query
over an index (the running clocks' partial index, conversations by state, lines
awaiting delivery), so their cost follows open work, not the archive.

A label set that is no longer in the answer is removed, so a unit whose last overdue
clock was met drops to no series (Prometheus reads that as gone, which the alert rules
treat as zero), rather than showing its old count for ever.
"""
from __future__ import annotations

import time
from datetime import datetime

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.context import Platform
from backend.models import Conversation, Message, Ticket, TicketDeadline
from backend.observability import metrics

# Often enough for an alert measured over minutes; rarely enough to cost nothing next to the sweep.
CLOCKS_REFRESH_SECONDS = 30.0
_last_clocks_refresh = 0.0


_shown: dict[str, set[tuple[str, ...]]] = {}  # per gauge, the label sets it has now


def _replace(gauge: Gauge, values: dict[tuple[str, ...], float]) -> None:
    name = gauge._name  # noqa: SLF001 (prometheus_client keeps the name there; it is stable)
    for labels, value in values.items():
        gauge.labels(*labels).set(value)
    for labels in _shown.get(name, set()) - set(values):
        gauge.remove(*labels)
    _shown[name] = set(values)


async def refresh_clocks(platform: Platform, force: bool = False) -> None:
    """Running clocks in warning and overdue, by the ticket's handling unit and commitment."""
    global _last_clocks_refresh
    if not force and time.monotonic() - _last_clocks_refresh < CLOCKS_REFRESH_SECONDS:
        return
    _last_clocks_refresh = time.monotonic()
    # Grouped by the test itself, not a CASE of two bound strings (PostgreSQL cannot match those).
    overdue = TicketDeadline.breached_at.is_not(None)
    stmt = (select(Ticket.unit_id, TicketDeadline.name, overdue, func.count())
            .join(Ticket, Ticket.id == TicketDeadline.ticket_id)
            .where(TicketDeadline.met_at.is_(None), TicketDeadline.cancelled_at.is_(None),
                   (TicketDeadline.warned_at.is_not(None)) | (TicketDeadline.breached_at.is_not(None)))
            .group_by(Ticket.unit_id, TicketDeadline.name, overdue))
    async with platform.sessions() as session:
        rows = (await session.execute(stmt)).all()
    _replace(metrics.TICKET_CLOCKS, {(str(unit), str(name), "overdue" if late else "warning"): n
                                     for unit, name, late, n in rows})


async def refresh_conversations(platform: Platform) -> None:
    """Conversations that are not closed by channel and state; the agents' queue's longest wait; lines
    awaiting delivery and the oldest's age."""
    async with platform.sessions() as session:
        rows = (await session.execute(
            select(Conversation.channel, Conversation.state, func.count())
            .where(Conversation.state != "closed").group_by(Conversation.channel, Conversation.state))).all()
        pending, oldest = await undelivered(session)
        waiting_since = await session.scalar(select(func.min(Conversation.waiting_since))
                                             .where(Conversation.state == "waiting_agent"))
    _replace(metrics.CONVERSATIONS, {(str(channel), str(state)): n for channel, state, n in rows})
    metrics.HANDOFF_OLDEST_WAITING.set(age(platform.clock(), waiting_since))
    metrics.DELIVERY_PENDING.set(pending or 0)
    metrics.DELIVERY_OLDEST.set(age(platform.clock(), oldest))


async def undelivered(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many lines for customers wait for delivery, and when the oldest was written."""
    pending, oldest = (await session.execute(
        select(func.count(), func.min(Message.created_at)).where(Message.awaiting_delivery.is_(True)))).one()
    return int(pending or 0), oldest


def age(now: datetime, oldest: datetime | None) -> float:
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0

