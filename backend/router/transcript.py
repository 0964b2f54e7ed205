"""Transcript lines: numbered, masked, written once.

Every line is masked with backend.privacy.mask_text before it is stored (PIPL:
a transcript keeps no raw phone number, 户号 or ID-card number). A line meant
for the customer outside their own turn (an agent's words, a claim/release/close
notice) is stored with `awaiting_delivery` set; backend/router/delivery.py clears
it once the channel has handed it over.

Writing a line also sets the conversation's `updated_at`, first (so every writer
locks the conversation row before it numbers its lines, in the same order as the
takeover's SELECT … FOR UPDATE): the staff console's feed finds changed
conversations by `updated_at` and their new lines by `seq`.

Lines of one conversation are numbered 1, 2, 3 … (`seq`). Two writers racing for
the same number make one of them fail on the unique constraint; `retrying`
runs such a unit of work again.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.context import Platform
from backend.models import Conversation, Message
from backend.observability import request_ids
from backend.privacy import mask_text

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 4
# A transcript note for staff, never sent: the customer wrote to a closed conversation (backend/router/service.py).
# Its lines also mark where a new chat of the conversation starts (backend/surveys.py).
REOPENED = "客户再次留言，会话重新由智能客服接待。"


@dataclass(frozen=True)
class Line:
    """A transcript line before it is stored (text still unmasked)."""

    sender: str
    text: str
    intent: str | None = None
    confidence: float | None = None
    actor: str | None = None
    for_delivery: bool = False


async def append(session: AsyncSession, conversation_id: str, lines: Sequence[Line],
                 now: datetime) -> list[Message]:
    """Add lines after the conversation's last one, masked (the caller commits)."""
    await session.execute(update(Conversation).where(Conversation.id == conversation_id)
                          .values(updated_at=now).execution_options(synchronize_session=False))
    last = await session.scalar(select(func.coalesce(func.max(Message.seq), 0))
                                .where(Message.conversation_id == conversation_id))
    stored = []
    for offset, line in enumerate(lines, start=1):
        message = Message(conversation_id=conversation_id, seq=int(last or 0) + offset, sender=line.sender,
                          text=mask_text(line.text), intent=line.intent, confidence=line.confidence,
                          actor=line.actor, awaiting_delivery=line.for_delivery, created_at=now,
                          request_id=request_ids.current())
        session.add(message)
        stored.append(message)
    await session.flush()
    return stored


async def retrying(platform: Platform, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a fresh session and commit; again when a concurrent writer took its line numbers."""
    for attempt in range(1, ATTEMPTS + 1):
        async with platform.sessions() as session:
            try:
                result = await work(session)
                await session.commit()
                return result
            except (IntegrityError, OperationalError) as exc:
                await session.rollback()
                if attempt == ATTEMPTS:
                    raise
                log.info("transcript write retried after a concurrent writer (%s)", type(exc).__name__)
    raise AssertionError("unreachable")


async def record(platform: Platform, conversation_id: str, lines: Sequence[Line]) -> list[Message]:
    """Store lines in their own transaction."""
    now = platform.clock()
    return await retrying(platform, lambda session: append(session, conversation_id, lines, now))
