"""Recording lifecycle steps on a ticket, exactly once.

A step carries an optional idempotency key (the bot retries through network
faults); two steps racing on one ticket are serialised by the ticket's version
counter: the loser re-reads the ticket and is judged against its new state.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from backend import surveys
from backend.context import Platform
from backend.errors import Conflict, InvalidInput
from backend.models import TicketEvent, Unit
from backend.tickets.lifecycle import apply_step
from backend.tickets.queries import load_ticket
from backend.tickets.schemas import TicketEventCreate

_ATTEMPTS = 3


async def add_event(platform: Platform, ticket_no: str, body: TicketEventCreate, *, actor: str,
                    idempotency_key: str | None = None) -> tuple[int, bool]:
    """Apply the step; return the ticket's row id and whether this was a replay.

    A key already used on this ticket with another body is refused (409), not taken
    for a replay: the caller asked for a different step than the one recorded."""
    digest = hashlib.sha256(json.dumps(body.dict(), sort_keys=True, ensure_ascii=False, default=str)
                            .encode()).hexdigest()
    for _ in range(_ATTEMPTS):
        async with platform.sessions() as session:
            ticket = await load_ticket(session, ticket_no=ticket_no, for_update=True)
            if idempotency_key and await _seen(session, ticket.id, idempotency_key, digest):
                return ticket.id, True
            if body.kind == "dispatch" and body.unit and await session.get(Unit, body.unit) is None:
                raise InvalidInput(f"未知的处理单位 {body.unit}。", code="unit_unknown")
            was_closed = ticket.status == "closed"
            event = apply_step(platform, ticket, body, actor, platform.clock(), key=idempotency_key)
            event.request_hash = digest if idempotency_key else None
            # A handled ticket closed by this step: its satisfaction survey, in the same transaction.
            await surveys.offer_for_closed_ticket(session, ticket, platform.clock(), was_closed)
            try:
                await session.commit()
                return ticket.id, False
            except StaleDataError:
                await session.rollback()  # someone else changed the ticket first: judge again
            except IntegrityError:
                await session.rollback()
                if idempotency_key and await _seen(session, ticket.id, idempotency_key, digest):
                    return ticket.id, True
                raise
    raise Conflict("工单正在被其他操作更新，请稍后重试。", code="busy")


async def _seen(session, ticket_id: int, key: str, digest: str) -> bool:  # noqa: ANN001
    """True: the step with this key is recorded (a replay); another body under the key → 409."""
    row = (await session.execute(
        select(TicketEvent.id, TicketEvent.request_hash).where(TicketEvent.ticket_id == ticket_id,
                                                               TicketEvent.idempotency_key == key)
    )).first()
    if row is None:
        return False
    if row.request_hash is not None and row.request_hash != digest:
        raise Conflict("该幂等键已用于该工单的另一项不同操作。", code="idempotency_key_reused")
    return True
